package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.security.PathRoots;
import dev.jdpo.orchestrator.config.HyperparameterResolver;
import dev.jdpo.orchestrator.config.RunConfigDefaults;
import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.grpc.TokenizerGrpcService;
import dev.jdpo.tokenizer.grpc.TokenizerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the pipeline reads a run's data: once per run in the common case, and not to the end after a stop. */
class DataReadingTest {

    @TempDir
    Path tmp;

    /** How often the data was read to its report. */
    private static long dataReads(RecordingReporter reporter) {
        return reporter.messages.stream().filter(m -> m.contains(" pairs in ") && m.contains(" rows, format "))
                .count();
    }

    private RunConfig config(int pairs, long maxSteps) throws Exception {
        Path data = PipelineEndToEndTest.writePairs(tmp.resolve("pairs-" + pairs + ".jsonl"), pairs);
        return new RunConfigDefaults().apply(PipelineEndToEndTest.config(data, tmp.resolve("out"), maxSteps));
    }

    @Test
    void theDataValidatedForARunIsTheDataItTrainsOn(@TempDir Path cache) throws Exception {
        RunConfig config = config(8, 1);
        RecordingReporter reporter = new RecordingReporter();
        try (PipelineRunExecutor executor = new PipelineRunExecutor(cache, cache.resolve("run-data"), null)) {
            DataSummary summary = executor.validateFiles(config, reporter).orElseThrow();
            RunStart start = new RunStart("run-once", config, new HyperparameterResolver().resolve(config,
                    summary.trainingPairs(), summary.validationPairs()), Optional.empty());
            assertInstanceOf(RunOutcome.Completed.class, executor.execute(start, reporter));
            assertEquals(1, dataReads(reporter), "validated and trained on one reading: " + reporter.messages);

            RunConfig again = config.toBuilder().setOutput(config.getOutput().toBuilder()
                    .setOutputDir(tmp.resolve("out-again").toString())).build();
            assertInstanceOf(RunOutcome.Completed.class, executor.execute(new RunStart("run-again", again,
                    start.hyperparameters(), Optional.empty()), reporter));
            assertEquals(2, dataReads(reporter), "a run that was not just validated (a restart) reads again");
        }
    }

    @Test
    void aStopDuringTokenizationEndsTheReadingInsteadOfFinishingIt(@TempDir Path cache) throws Exception {
        // 100,000 pairs take the tokenizer tens of seconds; the stop is seen within 200 ms, so a reading that
        // ignored it would end in a summary and a "pairs in ... rows" report
        RunConfig config = config(100_000, 1);
        RecordingReporter reporter = new RecordingReporter();
        reporter.stop.set(true);
        try (PipelineRunExecutor executor = new PipelineRunExecutor(cache, cache.resolve("run-data"), null)) {
            assertEquals(Optional.empty(), executor.validateFiles(config, reporter));
            RunStart start = new RunStart("run-stopped", config, new HyperparameterResolver().resolve(config,
                    100_000, 0), Optional.empty());
            RunOutcome outcome = executor.execute(start, reporter);
            assertEquals(new RunOutcome.Stopped(0), outcome);
            assertEquals(0, dataReads(reporter), "neither reading reached its report: " + reporter.messages);
        }
    }

    @Test
    void theTokenizersProgressBecomesRunEvents() throws Exception {
        RunConfig config = config(8, 1);
        String name = InProcessServerBuilder.generateName();
        TokenizerRegistry tokenizers = new TokenizerRegistry();
        ExecutorService work = Executors.newSingleThreadExecutor();
        Server server = InProcessServerBuilder.forName(name)
                .addService(new TokenizerGrpcService(tokenizers, work, Duration.ZERO, PathRoots.anywhere())).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try {
            RecordingReporter reporter = new RecordingReporter();
            DatasetLoader.Pairs pairs = new DatasetLoader(channel, "in-process", new ServiceRetries(0, 1))
                    .load(config, reporter).orElseThrow();
            assertEquals(8, pairs.training().size() + pairs.validation().size());
            List<String> progress = reporter.messages.stream().filter(m -> m.endsWith(" rows read")).toList();
            assertEquals(8, progress.size(), reporter.messages.toString());
            assertEquals(config.getData().getTrainingFile() + ": 8 rows read", progress.get(7));
        } finally {
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            tokenizers.closeAfter(work, Duration.ofSeconds(30));
        }
    }

    @Test
    void aStopDuringTheRetryBackoffEndsTheReadingWithoutWaitingItOut() throws Exception {
        RunConfig config = config(8, 1);
        ManagedChannel nobody = NettyChannelBuilder.forTarget("127.0.0.1:" + freePort()).usePlaintext().build();
        RecordingReporter reporter = new RecordingReporter();
        // the stop comes once the loader announced its retry, i.e. during the backoff, however slow the machine
        Thread stopper = new Thread(() -> {
            while (reporter.messages.stream().noneMatch(m -> m.contains("retry 1"))) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
            reporter.stop.set(true);
        });
        try {
            stopper.start();
            // one retry after a 10-minute backoff: only the stop can end this load in time
            Optional<DatasetLoader.Pairs> loaded = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> new DatasetLoader(nobody, "127.0.0.1", new ServiceRetries(1, 600_000)).load(config, reporter));
            assertEquals(Optional.empty(), loaded);
            assertTrue(reporter.messages.stream().anyMatch(m -> m.contains("unavailable") && m.contains("retry 1")),
                    reporter.messages.toString());
        } finally {
            stopper.interrupt();
            nobody.shutdownNow();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
