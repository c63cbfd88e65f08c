package dev.jdpo.reference.pool;

import java.util.List;

/**
 * Counters of a {@link ReferencePool} since it was created.
 *
 * @param batchesCompleted batches whose scores were delivered (each exactly once)
 * @param attempts calls sent, retries and moves included
 * @param moved batches sent again because a call failed or was too slow
 * @param lateAnswersDropped answers that came after their batch was already completed elsewhere, and were ignored
 * @param replicas per-replica counters
 */
public record PoolStats(long batchesCompleted, long attempts, long moved, long lateAnswersDropped,
                        List<ReplicaStats> replicas) { }
