package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.ExternalProcess;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.RunEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client in another language, generated from the .proto files alone (Node.js, @grpc/proto-loader), creates a
 * run on a real orchestrator over loopback and watches it to completion, and logs completions, records feedback and
 * exports the preference pairs.
 */
class NodeClientTest {

    @TempDir
    Path tmp;

    private Path clientDir() throws Exception {
        Path clientDir = Path.of(System.getProperty("jdpo.repo.root"), "clients", "node");
        if (!Files.isDirectory(clientDir.resolve("node_modules"))) {
            ExternalProcess.Result install = ExternalProcess.run(List.of("npm", "ci", "--no-audit", "--no-fund",
                    "--prefix", clientDir.toString()), Map.of(), tmp, 300);
            assertEquals(0, install.exit(), "npm ci failed:\n" + install.output());
        }
        return clientDir;
    }

    @Test
    void nodeClientCreatesARunAndWatchesItToSuccess() throws Exception {
        Path clientDir = clientDir();
        TestWorkspace workspace = new TestWorkspace(tmp);
        Path config = tmp.resolve("run.json");
        Files.writeString(config, "{\"name\": \"node\","
                + "\"model\": {\"policy\": \"" + workspace.model() + "\"},"
                + "\"data\": {\"training_file\": \"" + workspace.trainingFile() + "\"},"
                + "\"training\": {\"epochs\": 1, \"batch_size\": 1},"
                + "\"hyperparameters\": {\"beta\": {\"value\": 0.1}},"
                + "\"output\": {\"output_dir\": \"" + tmp.resolve("out") + "\"}}");
        try (OrchestratorServer server = workspace.start(new ScriptedRunExecutor(8, 10, 4))) {
            ExternalProcess.Result client = ExternalProcess.run(List.of("node",
                    clientDir.resolve("create-and-watch.js").toString(), "--address", "127.0.0.1:" + server.port(),
                    "--config", config.toString()), Map.of(), tmp, 120);
            assertEquals(0, client.exit(), client.output());

            List<JsonObject> lines = new ArrayList<>();
            client.output().lines().filter(l -> l.startsWith("{")).forEach(l -> lines.add(JsonParser.parseString(l)
                    .getAsJsonObject()));
            String runId = lines.get(0).get("created").getAsString();
            assertEquals("RUN_STATUS_VALIDATING_FILES", lines.get(0).get("status").getAsString());
            List<JsonObject> events = lines.subList(1, lines.size() - 1);
            List<RunEvent> log = server.runs().events().readAfter(runId, 0, 1000);
            assertEquals(log.size(), events.size(), "the client saw every event");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(String.valueOf(i + 1), events.get(i).get("sequence").getAsString());
                assertEquals(log.get(i).getMessage(), events.get(i).get("message").getAsString());
            }
            assertEquals(8, events.stream().filter(e -> "metrics".equals(stringOrNull(e, "payload"))).count());
            JsonObject last = lines.get(lines.size() - 1);
            assertEquals("RUN_STATUS_SUCCEEDED", last.get("final_status").getAsString());
            assertTrue(Files.isDirectory(Path.of(last.get("result_model_dir").getAsString())));
        }
    }

    @Test
    void nodeClientLogsCompletionsRecordsFeedbackAndExportsPairs() throws Exception {
        Path script = clientDir().resolve("feedback.js");
        try (OrchestratorServer server = new TestWorkspace(tmp).start(new ScriptedRunExecutor(1, 1, 0))) {
            String address = "127.0.0.1:" + server.port();
            JsonObject logged = node(script, "log", address, "{\"messages\": [{\"role\": \"user\", \"content\": "
                    + "\"Capital of France?\"}], \"completions\": [\"Paris.\", \"Lyon.\", \"Paris, I think.\"], "
                    + "\"model\": \"tiny\", \"task\": \"node\", \"metadata\": {\"client\": \"node\"}}").get(0);
            List<String> ids = new ArrayList<>();
            logged.getAsJsonArray("completion_ids").forEach(id -> ids.add(id.getAsString()));
            assertEquals(3, ids.size());
            String choice = node(script, "record", address, "{\"user_choice\": {\"chosen_completion_id\": \""
                    + ids.get(0) + "\"}}").get(0).get("feedback_id").getAsString();
            String edit = node(script, "record", address, "{\"user_edit\": {\"completion_id\": \"" + ids.get(2)
                    + "\", \"edited_text\": \"Paris.\"}}").get(0).get("feedback_id").getAsString();

            List<JsonObject> lines = node(script, "export", address, "{\"task\": \"node\"}");
            JsonObject summary = lines.get(lines.size() - 1).getAsJsonObject("summary");
            assertEquals("2", summary.get("pairs").getAsString());
            assertEquals("1", summary.get("duplicates_merged").getAsString());
            Map<String, List<String>> idsByPair = new java.util.HashMap<>();
            for (JsonObject pair : lines.subList(0, lines.size() - 1)) {
                assertEquals("Capital of France?", pair.getAsJsonObject("input").getAsJsonArray("messages").get(0)
                        .getAsJsonObject().get("content").getAsString());
                List<String> feedbackIds = new ArrayList<>();
                pair.getAsJsonArray("feedback_ids").forEach(id -> feedbackIds.add(id.getAsString()));
                idsByPair.put(pair.getAsJsonArray("preferred_output").get(0).getAsJsonObject().get("content")
                        .getAsString() + " > " + pair.getAsJsonArray("non_preferred_output").get(0).getAsJsonObject()
                        .get("content").getAsString(), feedbackIds);
            }
            assertEquals(Map.of("Paris. > Lyon.", List.of(choice), "Paris. > Paris, I think.", List.of(choice, edit)),
                    idsByPair);
        }
    }

    /** Runs {@code feedback.js COMMAND} with {@code request} as its request file; its stdout's JSON lines. */
    private List<JsonObject> node(Path script, String command, String address, String request) throws Exception {
        Path file = Files.createTempFile(tmp, command, ".json");
        Files.writeString(file, request);
        ExternalProcess.Result result = ExternalProcess.run(List.of("node", script.toString(), command, "--address",
                address, "--request", file.toString()), Map.of(), tmp, 120);
        assertEquals(0, result.exit(), result.output());
        return result.output().lines().filter(l -> l.startsWith("{"))
                .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    }

    private static String stringOrNull(JsonObject object, String key) {
        return object.get(key).isJsonNull() ? null : object.get(key).getAsString();
    }
}
