package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdpo continual create|list|watch|cancel} and {@code jdpo list} against a running orchestrator. */
class ContinualCommandsTest {

    @TempDir
    static Path tmp;
    static TestWorkspace workspace;
    static OrchestratorServer server;
    static String address;

    @BeforeAll
    static void start() throws Exception {
        workspace = new TestWorkspace(tmp);
        server = workspace.start(new ScriptedRunExecutor(1, 1, 0));
        address = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Path jobFile(String name, String gatePrompts) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("held-out.jsonl"), "{\"prompt\": \"Say hi.\"}\n");
        return Files.writeString(tmp.resolve(name + ".yaml"), String.join("\n",
                "name: " + name,
                "task: support",
                "run_template:",
                "  model: {policy: " + workspace.model() + "}",
                "  training: {batch_size: 1, epochs: 1}",
                "  output: {output_dir: " + tmp.resolve("out-" + name) + "}",
                "trigger: {every_pairs: 5}",
                "gate:",
                "  prompts_file: " + (gatePrompts == null ? prompts : gatePrompts),
                "  criteria:",
                "    - {name: short, word_limit: {max: 20}}",
                ""));
    }

    @Test
    void aJobIsCreatedListedWatchedAndCancelled() throws Exception {
        RunCommandsTest.Result created = RunCommandsTest.jdpo("continual", "create", "--address", address,
                "--config", jobFile("weekly", null).toString());
        assertEquals(0, created.exit(), created.err());
        String id = created.out().strip();
        assertTrue(id.matches("cjob-[a-z2-7]{20}"), id);

        RunCommandsTest.Result listed = RunCommandsTest.jdpo("continual", "list", "--address", address);
        assertTrue(listed.out().lines().anyMatch(line -> line.startsWith(id) && line.contains("waiting")
                && line.endsWith("weekly")), listed.out());
        RunCommandsTest.Result all = RunCommandsTest.jdpo("list", "--address", address);
        assertTrue(all.out().contains(id), "jdpo list shows the jobs too: " + all.out());

        RunCommandsTest.Result cancelled = RunCommandsTest.jdpo("continual", "cancel", "--address", address, id);
        assertEquals(0, cancelled.exit(), cancelled.err());
        assertTrue(cancelled.out().contains(id + " cancelled"), cancelled.out());
        RunCommandsTest.Result again = RunCommandsTest.jdpo("continual", "cancel", "--address", address, id);
        assertEquals(0, again.exit(), "cancelling a cancelled job is a no-op: " + again.err());

        RunCommandsTest.Result watched = RunCommandsTest.jdpo("continual", "watch", "--address", address, id);
        assertEquals(1, watched.exit(), "a cancelled job did not complete");
        assertTrue(watched.out().contains("[1] Job created") && watched.out().contains("[2] Cancelled"),
                watched.out());
    }

    @Test
    void badFieldsAreNamedInTheError() throws Exception {
        RunCommandsTest.Result zero = RunCommandsTest.jdpo("continual", "create", "--address", address,
                "--config", jobFile("zero", null).toString(), "--set", "trigger.every_pairs=0",
                "--set", "gate.max_pass_rate_drop=2");
        assertEquals(1, zero.exit());
        assertTrue(zero.err().contains("INVALID_ARGUMENT") && zero.err().contains("trigger.every_pairs: must be >= 1")
                && zero.err().contains("gate.max_pass_rate_drop: must be in -1..1"), zero.err());

        RunCommandsTest.Result template = RunCommandsTest.jdpo("continual", "create", "--address", address,
                "--config", jobFile("lr", null).toString(), "--set", "run_template.training.learning_rate=-1");
        assertEquals(1, template.exit());
        assertTrue(template.err().contains("run_template.training.learning_rate"), template.err());

        RunCommandsTest.Result outside = RunCommandsTest.jdpo("continual", "create", "--address", address,
                "--config", jobFile("outside", "/etc/hostname").toString());
        assertEquals(1, outside.exit());
        assertTrue(outside.err().contains("PERMISSION_DENIED") && outside.err().contains("gate.prompts_file"),
                outside.err());

        RunCommandsTest.Result unknown = RunCommandsTest.jdpo("continual", "cancel", "--address", address,
                "cjob-aaaaaaaaaaaaaaaaaaaa");
        assertTrue(unknown.err().contains("NOT_FOUND"), unknown.err());
    }
}
