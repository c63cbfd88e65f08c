package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embedded run whose follower fails is cancelled, not left RUNNING for a later orchestrator to finish unseen. */
class EmbeddedRunTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @Test
    void aFailureWhileFollowingCancelsTheRun(@TempDir Path tmp) throws Exception {
        RunConfig config = new RunConfigReader().parse("model: {policy: "
                + REPO.resolve("examples/tiny-llama") + ", device: cpu}\n"
                + "data: {training_file: " + REPO.resolve("examples/data/trl-standard.jsonl") + "}\n"
                + "training: {batch_size: 1, max_steps: 50, learning_rate: 1e-4, loss_types: [sigmoid]}\n"
                + "output: {output_dir: " + tmp.resolve("out") + ", log_interval: 1, checkpoint_interval: 1}\n",
                "test", List.of());
        AtomicReference<String> runId = new AtomicReference<>();
        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> EmbeddedRun.execute(config, tmp.resolve("state"), new PrintWriter(new StringWriter()), event -> {
                    runId.set(event.getRunId());
                    if (event.hasMetrics() && event.getMetrics().getStep() >= 1) {
                        throw new IllegalStateException("the terminal went away");
                    }
                }));
        assertEquals("the terminal went away", failed.getMessage());
        assertNotNull(runId.get());
        try (OrchestratorServer later = OrchestratorServer.start(Map.of("jdpo.state-dir",
                tmp.resolve("state").toString(), "jdpo.allowed-roots", List.of("/")), List.of(), false)) {
            assertEquals(RunStatus.RUN_STATUS_CANCELLED, later.runs().get(runId.get()).getStatus(),
                    "a served orchestrator on this state has nothing to resume");
        }
    }
}
