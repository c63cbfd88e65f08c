package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
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
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    @ParameterizedTest
    @EnumSource(value = ReferenceMode.class, names = {"REFERENCE_MODE_PRECOMPUTE", "REFERENCE_MODE_STREAMING"})
    void killedOrchestratorResumesTheRunWithNoEventLostOrRepeated(ReferenceMode mode) throws Exception {
        int port = TestWorkspace.freePort();
        Path state = tmp.resolve("state");
        RunConfig config = PipelineEndToEndTest.config(REPO.resolve("examples/data/quickstart.jsonl"),
                tmp.resolve("out"), 0);
        config = config.toBuilder()
                .setData(config.getData().toBuilder().clearValidationSplit())
                // long enough that the kill after the second checkpoint (step 10) lands well before the end even on
                // a loaded machine: the tiny model trains dozens of steps per second
                .setTraining(config.getTraining().toBuilder().setEpochs(2).setMaxSteps(STEPS).setBatchSize(2))
                .setOutput(config.getOutput().toBuilder().setCheckpointInterval(5))
                .setReference(ReferenceConfig.newBuilder().setMode(mode))
                .build();
        List<RunEvent> seen = new CopyOnWriteArrayList<>();
        String runId;
        long checkpointBeforeKill;
        Process first = startServer(port, state, "first");
        try (RunClient client = new RunClient(port)) {
            awaitServing(client, first, "first");
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
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            watcher.join(30_000);
            checkpointBeforeKill = seen.stream().filter(RunEvent::hasCheckpoint)
                    .mapToLong(e -> e.getCheckpoint().getStep()).max().orElseThrow();
        } finally {
            first.destroyForcibly();
        }
        assertTrue(seen.stream().noneMatch(e -> e.getStatusChange().getStatus() == RunStatus.RUN_STATUS_SUCCEEDED),
                "the kill came before the end of the run");

        Process second = startServer(port, state, "second");
        try (RunClient client = new RunClient(port)) {
            awaitServing(client, second, "second");
            long resumeAfter = seen.get(seen.size() - 1).getSequence();
            List<RunEvent> all = new ArrayList<>(seen);
            all.addAll(client.watch(runId, resumeAfter));
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).getSequence(), "event " + (i + 1) + " lost or repeated");
            }
            RunEvent restarted = all.stream().filter(e -> e.getMessage().startsWith("Orchestrator restarted"))
                    .findFirst().orElseThrow(() -> new AssertionError("no restart message among the events " + all
                            + "\nfirst orchestrator's log:\n" + log("first")));
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
        } finally {
            second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
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

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".log"));
        } catch (IOException unreadable) {
            return unreadable.toString();
        }
    }

    private Process startServer(int port, Path state, String name) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Xss4m", "-Dai.djl.offline=true",
                // one libtorch thread, as the test JVM has: two spinning OpenMP threads crawl on a shared 2-core machine
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                "dev.jdpo.orchestrator.cli.JdpoCli", "serve", "orchestrator", "--port", String.valueOf(port),
                "--state-dir", state.toString(), "--allowed-root", tmp.toString(),
                "--allowed-root", REPO.resolve("examples").toString());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile()).start();
    }

    private void awaitServing(RunClient client, Process server, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                HealthGrpc.newBlockingStub(client.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                return;
            } catch (StatusRuntimeException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("orchestrator did not start:\n"
                            + Files.readString(tmp.resolve(name + ".log")));
                }
                Thread.sleep(100);
            }
        }
    }
}
