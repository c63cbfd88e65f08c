package dev.jdpo.orchestrator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.state.MetricRepository;
import dev.jdpo.orchestrator.state.StateDatabase;
import dev.jdpo.orchestrator.testing.PythonEventReader;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs, events, metrics and checkpoints survive closing and reopening the orchestrator and its H2 file DB. */
class RestartRecoveryTest {

    @TempDir
    Path tmp;

    @Test
    void finishedRunIsUnchangedAfterRestart() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        Run before;
        List<RunEvent> eventsBefore;
        List<Checkpoint> checkpointsBefore;
        Map<Long, Double> lossBefore;
        try (OrchestratorServer first = workspace.start(new ScriptedRunExecutor(9, 2, 3));
             RunClient client = new RunClient(first.port())) {
            Run run = first.runs().create(workspace.config("durable"));
            client.watch(run.getId(), 0);
            before = first.runs().get(run.getId());
            eventsBefore = first.runs().events().readAfter(run.getId(), 0, 1000);
            checkpointsBefore = first.runs().checkpoints(run.getId());
            lossBefore = new MetricRepository(first.context().getBean(StateDatabase.class)).series(run.getId(), "loss");
        }
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, before.getStatus());

        ScriptedRunExecutor untouched = new ScriptedRunExecutor(9, 2, 3);
        try (OrchestratorServer second = workspace.start(untouched)) {
            assertEquals(before, second.runs().get(before.getId()));
            assertEquals(eventsBefore, second.runs().events().readAfter(before.getId(), 0, 1000));
            assertEquals(List.of(3L, 6L, 9L), second.runs().checkpoints(before.getId()).stream()
                    .map(Checkpoint::getStep).toList());
            assertEquals(checkpointsBefore, second.runs().checkpoints(before.getId()));
            assertEquals(lossBefore, new MetricRepository(second.context().getBean(StateDatabase.class))
                    .series(before.getId(), "loss"));
            assertEquals(9, lossBefore.size());
            assertTrue(untouched.starts().isEmpty(), "a finished run is not started again");
        }
    }

    @Test
    void recoveryHandsTheExecutorTheLastCheckpoint() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        String runId;
        // 200 ms steps: the 22 steps left after step 8 give the shutdown seconds to catch the run, even on a busy machine
        try (OrchestratorServer first = workspace.start(new ScriptedRunExecutor(30, 200, 5))) {
            runId = first.runs().create(workspace.config("recover")).getId();
            waitForStep(first.runs(), runId, 8);
            first.close();
        }
        ScriptedRunExecutor resumed = new ScriptedRunExecutor(30, 2, 5);
        try (OrchestratorServer second = workspace.start(resumed);
             RunClient client = new RunClient(second.port())) {
            List<RunEvent> all = client.watch(runId, 0);
            assertTrue(all.stream().anyMatch(e -> e.getMessage().startsWith("Orchestrator restarted; resuming")));
            assertEquals(1, resumed.starts().size());
            long resumedFrom = resumed.starts().get(0).resumeFrom().orElseThrow().getStep();
            assertTrue(resumedFrom >= 8, "resumed from step " + resumedFrom);
            assertTrue(all.stream().anyMatch(e -> e.getMessage().startsWith("Paused at step " + resumedFrom + " ")),
                    "the shutdown paused the run at the step it checkpointed");

            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).getSequence(), "sequences stay contiguous across the restart");
            }
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, all.get(all.size() - 1).getStatusChange().getStatus());
            assertEquals(1, all.stream().filter(e -> e.getStatusChange().getStatus() == RunStatus.RUN_STATUS_RUNNING)
                    .count(), "a resumed run does not enter RUNNING twice");
            Map<Long, Double> loss = new MetricRepository(second.context().getBean(StateDatabase.class))
                    .series(runId, "loss");
            assertEquals(LongStream.rangeClosed(1, 30).boxed().toList(), List.copyOf(loss.keySet()));

            Path runs = tmp.toRealPath().resolve("out-recover/runs");
            try (Stream<Path> dirs = Files.list(runs)) {
                Path dir = dirs.reduce((a, b) -> {
                    throw new AssertionError("both attempts log to one directory: " + a + ", " + b);
                }).orElseThrow();
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(2, files.count(), "an event file per attempt");
                }
            }
            Map<Long, Float> tensorBoardLoss = PythonEventReader.scalars(runs, tmp).get("train/loss");
            assertEquals(loss.keySet(), tensorBoardLoss.keySet());
            loss.forEach((step, value) -> assertEquals(value.floatValue(), tensorBoardLoss.get(step), "step " + step));
        }
    }

    @Test
    void anOrchestratorThatDoesNotRecoverStillKeepsNewRunsOutOfAnUnfinishedRunsOutputDir() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        String runId;
        try (OrchestratorServer first = workspace.start(new ScriptedRunExecutor(10_000, 20, 0))) {
            runId = first.runs().create(workspace.config("orphan")).getId();
            waitForStep(first.runs(), runId, 1);
        }
        ScriptedRunExecutor untouched = new ScriptedRunExecutor(10, 2, 0);
        try (OrchestratorServer embedded = OrchestratorServer.start(Map.of(
                "jdpo.executor", "scripted",
                "jdpo.state-dir", workspace.stateDir().toString(),
                "jdpo.allowed-roots", List.of(workspace.root().toString()),
                "jdpo.recover-runs", false), List.of(untouched), false)) {
            assertEquals(RunStatus.RUN_STATUS_RUNNING, embedded.runs().get(runId).getStatus(), "left as it was");
            InvalidConfigException refused = assertThrows(InvalidConfigException.class,
                    () -> embedded.runs().create(workspace.config("orphan")));
            assertTrue(refused.getMessage().contains("is the output_dir of run " + runId + ", which is running but "
                    + "left unfinished by an earlier process"), refused.getMessage());
            assertTrue(untouched.starts().isEmpty(), "the unfinished run was not resumed here");
        }
    }

    private static void waitForStep(RunManager runs, String runId, long step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (runs.get(runId).getStep() < step) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run did not reach step " + step);
            }
            Thread.sleep(10);
        }
    }
}
