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
 * run on a real orchestrator over loopback and watches it to completion.
 */
class NodeClientTest {

    @TempDir
    Path tmp;

    @Test
    void nodeClientCreatesARunAndWatchesItToSuccess() throws Exception {
        Path clientDir = Path.of(System.getProperty("jdpo.repo.root"), "clients", "node");
        if (!Files.isDirectory(clientDir.resolve("node_modules"))) {
            ExternalProcess.Result install = ExternalProcess.run(List.of("npm", "ci", "--no-audit", "--no-fund",
                    "--prefix", clientDir.toString()), Map.of(), tmp, 300);
            assertEquals(0, install.exit(), "npm ci failed:\n" + install.output());
        }
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

    private static String stringOrNull(JsonObject object, String key) {
        return object.get(key).isJsonNull() ? null : object.get(key).getAsString();
    }
}
