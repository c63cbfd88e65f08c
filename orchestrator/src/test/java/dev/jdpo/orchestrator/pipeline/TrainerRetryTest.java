package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.trainer.data.TrainingPair;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A trainer that cannot be reached is retried, and a stop ends the wait between tries at once. */
class TrainerRetryTest {

    @Test
    void aStopDuringTheTrainersRetryBackoffEndsTheRunWithoutWaitingItOut() throws Exception {
        ManagedChannel nobody = NettyChannelBuilder.forTarget("127.0.0.1:" + freePort()).usePlaintext().build();
        StopAfterFirstWarning reporter = new StopAfterFirstWarning();
        List<TrainingPair> pairs = List.of(new TrainingPair(new int[] {1}, new int[] {2}, new int[] {3}, null));
        try {
            // one retry after a 10-minute backoff: only the stop can end this run in time
            RunOutcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> new TrainerClient(nobody, "127.0.0.1", new ServiceRetries(1, 600_000))
                            .train(TrainJob.getDefaultInstance(), pairs, List.of(), reporter, 4));
            assertEquals(new RunOutcome.Stopped(4), outcome);
            assertTrue(reporter.messages.stream().anyMatch(m -> m.contains("unavailable") && m.contains("retry 1")),
                    reporter.messages.toString());
        } finally {
            nobody.shutdownNow();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Asks to stop as soon as the client announces its first retry. */
    private static final class StopAfterFirstWarning implements RunReporter {
        final List<String> messages = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();

        @Override
        public void info(String message) {
            messages.add(message);
        }

        @Override
        public void warn(String message) {
            messages.add(message);
            stop.set(true);
        }

        @Override
        public void metrics(long step, long totalSteps, double epoch, Map<String, Double> values) {
        }

        @Override
        public void checkpoint(long step, Path dir, Map<String, Double> metrics) {
        }

        @Override
        public boolean stopRequested() {
            return stop.get();
        }
    }
}
