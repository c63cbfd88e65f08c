package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.reference.ReferenceModel;
import dev.jdpo.reference.grpc.ReferenceServiceEndpoint;
import dev.jdpo.reference.pool.PoolOptions;
import dev.jdpo.reference.pool.ReferencePool;
import dev.jdpo.reference.pool.ReplicaChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run's reference model served as a {@code ReferenceService} on an in-process server, reached through a
 * {@link ReferencePool} of that one replica: an embedded run scores through the same contract as remote replicas.
 */
final class InProcessReference implements AutoCloseable {

    /**
     * One call per chunk the run scores, one call at a time, no deadline and no second try: the only replica is
     * this process, so there is nowhere to move a slow batch, and what fails here fails again.
     */
    private static final PoolOptions OPTIONS = new PoolOptions(ReferenceScoring.CHUNK_PAIRS, 1,
            Duration.ofDays(1), Duration.ofDays(1), Duration.ZERO, Duration.ZERO, 1);
    private static final AtomicLong SERVERS = new AtomicLong();

    private final Server server;
    private final ReferencePool pool;

    InProcessReference(ReferenceModel reference) {
        String name = "jdpo-reference-" + SERVERS.incrementAndGet();
        try {
            server = InProcessServerBuilder.forName(name)
                    .addService(new ReferenceServiceEndpoint(reference.scorer(), ServiceChannels.IN_PROCESS))
                    .build().start();
        } catch (IOException impossible) {
            throw new UncheckedIOException("starting the in-process reference service failed", impossible);
        }
        pool = new ReferencePool(List.of(new ReplicaChannel(ServiceChannels.IN_PROCESS,
                InProcessChannelBuilder.forName(name).build())), OPTIONS);
    }

    ReferencePool pool() {
        return pool;
    }

    /** Closes the pool (and its channel), then the server once its calls ended, so the model may be freed. */
    @Override
    public void close() throws InterruptedException {
        pool.close();
        server.shutdown();
        server.awaitTermination(1, TimeUnit.MINUTES);
    }
}
