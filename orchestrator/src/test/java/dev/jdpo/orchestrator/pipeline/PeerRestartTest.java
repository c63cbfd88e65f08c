package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ServiceProcess;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.internal.v1.GetStatsRequest;
import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ReferenceStats;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.ServicesConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that goes away is a pause: the trainer killed (SIGKILL) or stopped (SIGTERM) mid-run, or the tokenizer
 * killed or stopped while it reads, and started again 5 s later at the same address; the run completes with the
 * metrics of an uninterrupted run, every checkpoint in its output_dir listed; in reference.mode streaming over four
 * processes, the reference replica and then the trainer are killed mid-run. (The SIGTERM case once resumed with a
 * different grad_norm at a later step: backward had read a scalar a GC freed, see OwnedTensors, not anything of the
 * restart.)
 */
class PeerRestartTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final long RESTART_AFTER_MILLIS = 5000;
    private static final int RETRIES = 8;
    // the quickstart rows repeated: the tokenizer reads them all (long enough to be stopped mid-read, past the 5 s
    // grace a SIGTERM gives calls in flight: about 15 s on a loaded 2-core machine) and keeps each pair once, so
    // training stays small
    private static final int DATA_COPIES = 2000;
    private static final int STREAMING_STEPS = 200;
    // the uninterrupted runs' metrics by kind of run, shared by the tests of this class
    private static final Map<String, Map<String, Double>> UNINTERRUPTED = new ConcurrentHashMap<>();

    @TempDir
    Path tmp;

    @Test
    void trainerKilledMidRunAndRestartedResumesFromItsLastCheckpoint() throws Throwable {
        trainerGoesAwayMidRun(ServiceProcess::kill);
    }

    @Test
    void trainerStoppedMidRunAndRestartedResumesFromTheCheckpointItWroteOnStopping() throws Throwable {
        trainerGoesAwayMidRun(ServiceProcess::close);
    }

    @Test
    void tokenizerKilledWhileReadingAndRestartedIsReadAgain() throws Throwable {
        tokenizerGoesAwayWhileReading(ServiceProcess::kill);
    }

    @Test
    void tokenizerStoppedWhileReadingAndRestartedIsReadAgain() throws Throwable {
        tokenizerGoesAwayWhileReading(ServiceProcess::close);
    }

    /**
     * reference.mode streaming over four processes: the reference replica killed while the run streams, then the
     * trainer; each is back 5 s later at its address, and the run trains every pair once, as the uninterrupted one.
     */
    @Test
    void referenceThenTrainerKilledInAStreamingRunOverFourProcessesEndLikeTheUninterruptedRun() throws Throwable {
        int tokenizerPort = TestWorkspace.freePort();
        int referencePort = TestWorkspace.freePort();
        int trainerPort = TestWorkspace.freePort();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port());
             ServiceProcess tokenizer = tokenizer(tokenizerPort, "tokenizer.log")) {
            Map<String, Double> uninterrupted = uninterrupted(client, "streaming",
                    streamingRun(tmp.resolve("uninterrupted"), ServicesConfig.getDefaultInstance()));
            List<ServiceProcess> started = new ArrayList<>();
            try {
                started.add(reference(referencePort, "reference-1.log"));
                started.add(trainer(trainerPort, "trainer-1.log"));
                Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(streamingRun(
                        tmp.resolve("interrupted"), retrying()
                                .setTokenizerAddress("127.0.0.1:" + tokenizerPort)
                                .addReferenceAddresses("127.0.0.1:" + referencePort)
                                .setTrainerAddress("127.0.0.1:" + trainerPort).build())).build());
                // at once: over HTTP/2 the scorer may run ahead of the trainer by the transport's window
                awaitEvent(server, run.getId(), "Training 48 pairs for " + STREAMING_STEPS + " steps");
                started.get(0).kill();
                Thread.sleep(RESTART_AFTER_MILLIS);
                started.add(reference(referencePort, "reference-2.log"));
                long backAt = awaitCheckpointAfter(client, run.getId(), latestCheckpoint(client, run.getId()));
                started.get(1).kill();
                Thread.sleep(RESTART_AFTER_MILLIS);
                started.add(trainer(trainerPort, "trainer-2.log"));
                List<RunEvent> events = client.watch(run.getId(), 0);
                assertTrue(backAt < STREAMING_STEPS, "the trainer was killed mid-run, after step " + backAt);
                assertWarned(events, "the trainer service at 127.0.0.1:" + trainerPort + " went away");
                assertTrue(referenceStats(referencePort).getPairsRequested() > 0,
                        "the restarted replica scored the pairs after the kill");
                assertCompletedLike(uninterrupted, client, run, events, Path.of(run.getConfig().getOutput()
                        .getOutputDir()));
            } finally {
                for (ServiceProcess process : started) {
                    process.close();
                }
            }
        }
    }

    private void trainerGoesAwayMidRun(ThrowingConsumer<ServiceProcess> goAway) throws Throwable {
        int port = TestWorkspace.freePort();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            Map<String, Double> uninterrupted = uninterrupted(client, "trainer",
                    trainerRun(tmp.resolve("uninterrupted"), ServicesConfig.getDefaultInstance()));
            ServiceProcess first = trainer(port, "trainer-1.log");
            ServiceProcess second = null;
            try {
                Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(trainerRun(
                        tmp.resolve("interrupted"), retrying().setTrainerAddress("127.0.0.1:" + port).build()))
                        .build());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (checkpoints(client, run.getId()).isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "no checkpoint within 2 minutes");
                    Thread.sleep(10);
                }
                goAway.accept(first);
                Thread.sleep(RESTART_AFTER_MILLIS);
                second = trainer(port, "trainer-2.log");
                List<RunEvent> events = client.watch(run.getId(), 0);
                assertWarned(events, "the trainer service at 127.0.0.1:" + port + " went away");
                assertTrue(events.stream().anyMatch(e -> e.getMessage().contains("resuming from the checkpoint at "
                        + "step")), "the retry resumes from a checkpoint");
                assertCompletedLike(uninterrupted, client, run, events, Path.of(run.getConfig().getOutput()
                        .getOutputDir()));
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    private void tokenizerGoesAwayWhileReading(ThrowingConsumer<ServiceProcess> goAway) throws Throwable {
        Path data = repeatedQuickstart(tmp.resolve("repeated.jsonl"));
        int port = TestWorkspace.freePort();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            Map<String, Double> uninterrupted = uninterrupted(client, "tokenizer",
                    tokenizerRun(data, tmp.resolve("uninterrupted"), ServicesConfig.getDefaultInstance()));
            ServiceProcess first = tokenizer(port, "tokenizer-1.log");
            ServiceProcess second = null;
            try {
                Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(tokenizerRun(data,
                        tmp.resolve("interrupted"), retrying().setTokenizerAddress("127.0.0.1:" + port).build()))
                        .build());
                // well inside the read, which takes several times as long
                Thread.sleep(1000);
                goAway.accept(first);
                Thread.sleep(RESTART_AFTER_MILLIS);
                second = tokenizer(port, "tokenizer-2.log");
                List<RunEvent> events = client.watch(run.getId(), 0);
                int warned = assertWarned(events, "the tokenizer service at 127.0.0.1:" + port);
                assertTrue(events.subList(0, warned).stream().noneMatch(e -> e.getMessage().contains(" pairs in ")),
                        "the tokenizer went away before it finished reading");
                assertCompletedLike(uninterrupted, client, run, events, Path.of(run.getConfig().getOutput()
                        .getOutputDir()));
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    /** The metrics of the run without interruptions, all services embedded; the first test of a kind trains it. */
    private static Map<String, Double> uninterrupted(RunClient client, String kind, RunConfig config) {
        return UNINTERRUPTED.computeIfAbsent(kind, k -> SeparateProcessesTest.metricsOfRunToEnd(client, config));
    }

    private static RunConfig trainerRun(Path outputDir, ServicesConfig services) {
        RunConfig config = PipelineEndToEndTest.config(REPO.resolve("examples/data/quickstart.jsonl"), outputDir, 120);
        return config.toBuilder().setServices(services)
                .setOutput(config.getOutput().toBuilder().setCheckpointInterval(10).setEvalInterval(40)).build();
    }

    /** The trainer's run, longer and streamed with a small window, so scoring goes on while it trains. */
    private static RunConfig streamingRun(Path outputDir, ServicesConfig services) {
        RunConfig config = trainerRun(outputDir, services);
        return config.toBuilder().setReference(ReferenceConfig.newBuilder()
                        .setMode(ReferenceMode.REFERENCE_MODE_STREAMING).setWindowPairs(4))
                .setTraining(config.getTraining().toBuilder().setMaxSteps(STREAMING_STEPS)).build();
    }

    private static void awaitEvent(OrchestratorServer server, String runId, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (server.runs().events().readAfter(runId, 0, 10_000).stream()
                .noneMatch(e -> e.getMessage().startsWith(prefix))) {
            assertTrue(System.nanoTime() < deadline, "no \"" + prefix + "\" event within 2 minutes");
            Thread.sleep(5);
        }
    }

    private static long latestCheckpoint(RunClient client, String runId) {
        return checkpoints(client, runId).stream().mapToLong(Checkpoint::getStep).max().orElse(0);
    }

    /** The step of the first checkpoint past {@code step}, once the run registered it. */
    private static long awaitCheckpointAfter(RunClient client, String runId, long step) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            for (Checkpoint checkpoint : checkpoints(client, runId)) {
                if (checkpoint.getStep() > step) {
                    return checkpoint.getStep();
                }
            }
            assertTrue(System.nanoTime() < deadline, "no checkpoint past step " + step + " within 2 minutes");
            Thread.sleep(10);
        }
    }

    private static ReferenceStats referenceStats(int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return ReferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getStats(GetStatsRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }

    private static RunConfig tokenizerRun(Path data, Path outputDir, ServicesConfig services) {
        return PipelineEndToEndTest.config(data, outputDir, 6).toBuilder().setServices(services).build();
    }

    /**
     * Retries that outlast a stop, a restart 5 s later and a JVM start on a loaded machine (0.5 + 1 + ... + 64 s;
     * 31.5 s ran out once on a machine at load 10 or more).
     */
    private static ServicesConfig.Builder retrying() {
        return ServicesConfig.newBuilder().setUnavailableRetries(RETRIES).setRetryBackoffMs(500);
    }

    private static Path repeatedQuickstart(Path file) throws Exception {
        String rows = Files.readString(REPO.resolve("examples/data/quickstart.jsonl"));
        try (var out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < DATA_COPIES; i++) {
                out.write(rows);
            }
        }
        return file;
    }

    private ServiceProcess trainer(int port, String log) throws Exception {
        return ServiceProcess.start(tmp.resolve(log), "jdpo trainer listening on 127.0.0.1:" + port, "trainer",
                "--port", String.valueOf(port), "--read-root", REPO.resolve("examples").toString(), "--write-root",
                tmp.toString());
    }

    private ServiceProcess reference(int port, String log) throws Exception {
        return ServiceProcess.start(tmp.resolve(log), "jdpo reference listening on 127.0.0.1:" + port, "reference",
                "--port", String.valueOf(port), "--model", REPO.resolve("examples/tiny-llama-ref").toString());
    }

    private ServiceProcess tokenizer(int port, String log) throws Exception {
        return ServiceProcess.start(tmp.resolve(log), "jdpo tokenizer listening on 127.0.0.1:" + port, "tokenizer",
                "--port", String.valueOf(port), "--read-root", REPO.resolve("examples").toString(), "--read-root",
                tmp.toString());
    }

    /** The index of the first warning starting with {@code prefix}: the retry told what happened. */
    private static int assertWarned(List<RunEvent> events, String prefix) {
        for (int i = 0; i < events.size(); i++) {
            RunEvent event = events.get(i);
            if (event.getLevel() == EventLevel.EVENT_LEVEL_WARN && event.getMessage().startsWith(prefix)
                    && event.getMessage().contains("retry 1 of " + RETRIES)) {
                return i;
            }
        }
        throw new AssertionError("no warning \"" + prefix + " ... retry 1 of " + RETRIES + "\" among " + events.stream()
                .map(RunEvent::getMessage).toList());
    }

    /** Succeeded with the uninterrupted run's metrics, and every checkpoint on disk listed, none half-written. */
    private static void assertCompletedLike(Map<String, Double> uninterrupted, RunClient client, Run run,
                                            List<RunEvent> events, Path outputDir) throws Exception {
        Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
        Map<String, Double> metrics = SeparateProcessesTest.metrics(events);
        assertEquals(uninterrupted.keySet(), metrics.keySet());
        for (String key : uninterrupted.keySet()) {
            assertEquals(uninterrupted.get(key), metrics.get(key), 1e-5, key);
        }
        Set<String> onDisk;
        try (Stream<Path> children = Files.list(outputDir)) {
            onDisk = children.map(p -> p.getFileName().toString()).filter(name -> name.startsWith("checkpoint-"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> listed = checkpoints(client, run.getId()).stream()
                .map(c -> Path.of(c.getPath()).getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse(onDisk.isEmpty());
        assertEquals(onDisk, listed, "every checkpoint in the output_dir is listed, and no half-written one is left");
    }

    private static List<Checkpoint> checkpoints(RunClient client, String runId) {
        return client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(runId).build())
                .getCheckpointsList();
    }
}
