package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.trainer.grpc.TrainerServiceEndpoint;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Channels to the pipeline's services: an in-process server hosting the trainer (embedded mode, started on first
 * use) or Netty channels to {@code host:port} addresses. The pipeline talks to both the same way.
 */
final class ServiceChannels implements AutoCloseable {

    /** Where an embedded service runs, for messages. */
    static final String IN_PROCESS = "in-process";

    // a TrainPair of a long sequence with per-token log-probs stays far below this (the trainer's own bound)
    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    private final Map<String, ManagedChannel> remote = new ConcurrentHashMap<>();
    private Server embeddedServer;
    private TrainerServiceEndpoint embeddedTrainer;
    private ManagedChannel embeddedChannel;

    /** The channel to the trainer at {@code address}, or to the embedded one when it is empty. */
    synchronized ManagedChannel trainer(String address) {
        if (!address.isBlank()) {
            return remote.computeIfAbsent(address.trim(), target -> NettyChannelBuilder.forTarget(target)
                    .usePlaintext().maxInboundMessageSize(MAX_MESSAGE_BYTES).build());
        }
        if (embeddedChannel == null) {
            String name = "jdpo-trainer-" + System.identityHashCode(this);
            embeddedTrainer = new TrainerServiceEndpoint();
            try {
                embeddedServer = InProcessServerBuilder.forName(name).addService(embeddedTrainer).build().start();
            } catch (IOException impossible) {
                throw new UncheckedIOException("starting the in-process trainer failed", impossible);
            }
            embeddedChannel = InProcessChannelBuilder.forName(name).build();
        }
        return embeddedChannel;
    }

    /** Cancels an embedded job (it checkpoints at its next step boundary) and closes every channel. */
    @Override
    public synchronized void close() {
        remote.values().forEach(ManagedChannel::shutdownNow);
        if (embeddedChannel != null) {
            embeddedTrainer.close();
            embeddedChannel.shutdownNow();
            embeddedServer.shutdownNow();
            try {
                embeddedServer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
