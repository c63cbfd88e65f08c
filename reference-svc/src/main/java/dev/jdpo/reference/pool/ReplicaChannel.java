package dev.jdpo.reference.pool;

import io.grpc.ManagedChannel;

/**
 * One reference replica as the pool sees it.
 *
 * @param name how logs and stats call it (host:port)
 * @param channel its channel; the pool shuts it down on close
 */
public record ReplicaChannel(String name, ManagedChannel channel) { }
