package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.orchestrator.cli.RunCommandsTest.Result;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdpo feedback log|record|export} against a loopback orchestrator, run in this JVM. */
class FeedbackCommandTest {

    @TempDir
    static Path tmp;
    static OrchestratorServer server;
    static String address;

    @BeforeAll
    static void start() throws Exception {
        server = new TestWorkspace(tmp).start(new ScriptedRunExecutor(1, 1, 0));
        address = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonObject ok(String... args) {
        Result result = RunCommandsTest.jdpo(args);
        assertEquals(0, result.exit(), result.err());
        return JsonParser.parseString(result.out().strip()).getAsJsonObject();
    }

    @Test
    void logRecordAndExportWriteOpenAiPreferenceLines() throws Exception {
        JsonObject logged = ok("feedback", "log", "--address", address, "--messages",
                "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi?\"}]",
                "--completion", "Hello, how may I help you today?", "--completion", "Hello!", "--model", "tiny",
                "--task", "cli", "--metadata", "user=42");
        JsonArray ids = logged.getAsJsonArray("completion_ids");
        assertEquals(2, ids.size());
        String choice = ok("feedback", "record", "--address", address, "--choose", ids.get(1).getAsString())
                .get("feedback_id").getAsString();
        String edit = ok("feedback", "record", "--address", address, "--expert-edit", ids.get(0).getAsString(),
                "--text", "Hi!").get("feedback_id").getAsString();
        ok("feedback", "record", "--address", address, "--score", ids.get(0).getAsString(), "--criterion", "brief",
                "--failed");
        ok("feedback", "record", "--address", address, "--score", ids.get(1).getAsString(), "--criterion", "brief",
                "--passed");

        Path out = tmp.resolve("pairs.jsonl");
        Result export = RunCommandsTest.jdpo("feedback", "export", "--address", address, "--task", "cli",
                "--out", out.toString());
        assertEquals(0, export.exit(), export.err());
        assertEquals("2 pairs to " + out + ", 1 expert_edit, 1 criteria, 1 user_choice; 1 duplicates merged, "
                + "0 contradictions (0 resolved by majority, 0 dropped as ties), 0 unchanged edits skipped",
                export.out().strip());
        List<JsonObject> lines = Files.readAllLines(out).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
        assertEquals(2, lines.size());
        for (JsonObject line : lines) {
            JsonArray messages = line.getAsJsonObject("input").getAsJsonArray("messages");
            assertEquals("Hi?", messages.get(1).getAsJsonObject().get("content").getAsString());
            assertEquals("assistant", line.getAsJsonArray("preferred_output").get(0).getAsJsonObject()
                    .get("role").getAsString());
            assertEquals(1, line.getAsJsonArray("non_preferred_output").size());
            assertEquals("Hello, how may I help you today?", line.getAsJsonArray("non_preferred_output").get(0)
                    .getAsJsonObject().get("content").getAsString());
        }
        JsonObject chosen = lines.stream().filter(line -> line.getAsJsonArray("preferred_output").get(0)
                .getAsJsonObject().get("content").getAsString().equals("Hello!")).findFirst().orElseThrow();
        assertEquals(choice, chosen.getAsJsonArray("feedback_ids").get(0).getAsString());
        assertEquals(3, chosen.getAsJsonArray("feedback_ids").size(), "the choice and both criteria scores");
        assertTrue(lines.stream().anyMatch(line -> line.getAsJsonArray("feedback_ids").get(0).getAsString()
                .equals(edit)));
    }

    @Test
    void recordNeedsExactlyOneKindOfFeedback() {
        Result none = RunCommandsTest.jdpo("feedback", "record", "--address", address);
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("give exactly one of --score, --choose, --accepted, --user-edit, --expert-edit"),
                none.err());
        Result unknown = RunCommandsTest.jdpo("feedback", "record", "--address", address, "--choose", "cmp-nope");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("NOT_FOUND: user_choice.chosen_completion_id: completion cmp-nope not found"),
                unknown.err());
    }
}
