package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.config.RunConfigDefaults;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.v1.RunConfig;
import io.grpc.InsecureChannelCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that score in this process take turns at the reference cache; one waiting for its turn still ends on a
 * stop, instead of sitting RUNNING until the run ahead of it finished training.
 */
class InProcessReferenceTurnTest {

    @TempDir
    Path tmp;

    @Test
    void aRunWaitingForTheInProcessReferenceEndsOnAStop() throws Exception {
        RunConfig config = new RunConfigDefaults().apply(PipelineEndToEndTest.config(
                PipelineEndToEndTest.writePairs(tmp.resolve("d.jsonl"), 4), tmp.resolve("out"), 1));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return ReferenceScoring.withScorer(config, tmp.resolve("cache"), InsecureChannelCredentials.create(),
                        new RecordingReporter(), false, scorer -> {
                            holding.countDown();
                            release.await();
                            return Optional.of("first");
                        });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            if (!holding.await(60, TimeUnit.SECONDS)) {
                first.join(); // throws what the first run failed with
                throw new AssertionError("the first run never got the reference");
            }
            RecordingReporter stopped = new RecordingReporter();
            stopped.stop.set(true);
            Optional<String> second = assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                    ReferenceScoring.withScorer(config, tmp.resolve("cache"), InsecureChannelCredentials.create(),
                            stopped, false, scorer -> Optional.of("second")));
            assertEquals(Optional.empty(), second, "a stopped run gets no turn");
        } finally {
            release.countDown();
        }
        assertEquals(Optional.of("first"), first.get(60, TimeUnit.SECONDS));
    }
}
