package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.OrchestratorProcess;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kill -9 of an orchestrator process in the middle of a real run: a new process on the same state resumes the run
 * from its last checkpoint, and a watcher that resumes from its last sequence sees every event exactly once. The run
 * ends with the metrics of an uninterrupted one, in either reference mode; a streaming run reads back the pairs it
 * stored rather than tokenizing again.
 */
class OrchestratorCrashTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    private static final int STEPS = 80;

    @TempDir
    Path tmp;

    /** A shuffle window of 8 under the 64 pairs: the buffered shuffle, and a streaming store written as it trains. */
    @ParameterizedTest
    @CsvSource({"REFERENCE_MODE_PRECOMPUTE, 0", "REFERENCE_MODE_STREAMING, 0", "REFERENCE_MODE_STREAMING, 8"})
    void killedOrchestratorResumesTheRunWithNoEventLostOrRepeated(ReferenceMode mode, int shuffleWindow)
            throws Exception {
        int port = TestWorkspace.freePort();
        Path state = tmp.resolve("state");
        RunConfig config = PipelineEndToEndTest.config(REPO.resolve("examples/data/quickstart.jsonl"),
                tmp.resolve("out"), 0);
        config = config.toBuilder()
                .setData(config.getData().toBuilder().clearValidationSplit().setShuffleWindow(shuffleWindow))
                // long enough that the kill after the second checkpoint (step 10) lands well before the end even on
                // a loaded machine: the tiny model trains dozens of steps per second
                .setTraining(config.getTraining().toBuilder().setEpochs(2).setMaxSteps(STEPS).setBatchSize(2))
                .setOutput(config.getOutput().toBuilder().setCheckpointInterval(5))
                .setReference(ReferenceConfig.newBuilder().setMode(mode))
                .build();
        List<RunEvent> seen = new CopyOnWriteArrayList<>();
        String runId;
        long checkpointBeforeKill;
        OrchestratorProcess first = OrchestratorProcess.start(tmp, REPO, port, state, "first");
        try (RunClient client = new RunClient(port)) {
            runId = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build()).getId();
            Thread watcher = new Thread(() -> {
                try {
                    client.stub().withDeadlineAfter(5, TimeUnit.MINUTES).watchRun(
                            WatchRunRequest.newBuilder().setRunId(runId).build()).forEachRemaining(seen::add);
                } catch (StatusRuntimeException expectedWhenKilled) {
                    // the stream breaks with UNAVAILABLE when the server dies
                }
            });
            watcher.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (seen.stream().filter(RunEvent::hasCheckpoint).count() < 2) {
                assertTrue(System.nanoTime() < deadline, "no second checkpoint within 3 minutes");
                Thread.sleep(5);
            }
            first.kill();
            watcher.join(30_000);
            checkpointBeforeKill = seen.stream().filter(RunEvent::hasCheckpoint)
                    .mapToLong(e -> e.getCheckpoint().getStep()).max().orElseThrow();
        } finally {
            first.close();
        }
        assertTrue(seen.stream().noneMatch(e -> e.getStatusChange().getStatus() == RunStatus.RUN_STATUS_SUCCEEDED),
                "the kill came before the end of the run");

        try (OrchestratorProcess second = OrchestratorProcess.start(tmp, REPO, port, state, "second");
             RunClient client = new RunClient(port)) {
            long resumeAfter = seen.get(seen.size() - 1).getSequence();
            List<RunEvent> all = new ArrayList<>(seen);
            all.addAll(client.watch(runId, resumeAfter));
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).getSequence(), "event " + (i + 1) + " lost or repeated");
            }
            RunEvent restarted = all.stream().filter(e -> e.getMessage().startsWith("Orchestrator restarted"))
                    .findFirst().orElseThrow(() -> new AssertionError("no restart message among the events " + all
                            + "\nfirst orchestrator's log:\n" + first.log()));
            assertTrue(restarted.getMessage().matches(
                    "Orchestrator restarted; resuming from the checkpoint at step \\d+"), restarted.getMessage());
            long resumedAt = Long.parseLong(restarted.getMessage().replaceAll("\\D+", ""));
            assertTrue(resumedAt >= checkpointBeforeKill, resumedAt + " < " + checkpointBeforeKill);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
            assertEquals(STEPS, done.getStep());
            assertTrue(Files.isRegularFile(Path.of(done.getResultModelDir(), "config.json")));
            if (mode == ReferenceMode.REFERENCE_MODE_STREAMING) {
                assertTrue(all.stream().anyMatch(e -> e.getSequence() > resumeAfter
                        && e.getMessage().startsWith("Reading the tokenized pairs stored in")), all.toString());
            }
            assertSameMetrics(uninterrupted(config), SeparateProcessesTest.metrics(all));
        }
    }

    /** The metrics of the same run trained without a kill, in this JVM. */
    private Map<String, Double> uninterrupted(RunConfig config) throws Exception {
        Path straight = tmp.resolve("straight");
        RunConfig same = config.toBuilder().setOutput(config.getOutput().toBuilder()
                .setOutputDir(straight.resolve("out").toString())).build();
        try (OrchestratorServer server = PipelineEndToEndTest.start(straight);
             RunClient client = new RunClient(server.port())) {
            return SeparateProcessesTest.metricsOfRunToEnd(client, same);
        }
    }

    private static void assertSameMetrics(Map<String, Double> expected, Map<String, Double> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((key, value) -> assertEquals(value, actual.get(key), 1e-5 * Math.max(1, Math.abs(value)),
                key));
    }
}
