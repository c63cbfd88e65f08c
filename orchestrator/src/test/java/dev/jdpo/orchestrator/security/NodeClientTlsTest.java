package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.testing.DevCerts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Node.js client with TLS and a token: a write token runs to success, a read-only one is refused. */
class NodeClientTlsTest {

    private static final Path CLIENT_DIR = Path.of(System.getProperty("jdpo.repo.root"), "clients", "node");

    @TempDir
    Path tmp;

    @Test
    void nodeClientCreatesARunOverTlsWithAWriteTokenAndIsRefusedWithAReadToken() throws Exception {
        if (!Files.isDirectory(CLIENT_DIR.resolve("node_modules"))) {
            assertEquals(0, run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", CLIENT_DIR.toString()),
                    300).exit());
        }
        DevCerts certs = DevCerts.create(tmp.resolve("certs"));
        TestWorkspace workspace = new TestWorkspace(tmp);
        Path config = tmp.resolve("run.json");
        Files.writeString(config, "{\"model\": {\"policy\": \"" + workspace.model() + "\"},"
                + "\"data\": {\"training_file\": \"" + workspace.trainingFile() + "\"},"
                + "\"output\": {\"output_dir\": \"" + tmp.resolve("out") + "\"}}");
        try (OrchestratorServer server = workspace.start(new ScriptedRunExecutor(2, 10, 4), Map.of(
                "jdpo.security.tls-cert", certs.serverCert().toString(),
                "jdpo.security.tls-key", certs.serverKey().toString(),
                "jdpo.security.tokens-file", certs.tokens().toString()))) {
            List<String> client = List.of("node", CLIENT_DIR.resolve("create-and-watch.js").toString(),
                    "--address", "localhost:" + server.port(), "--config", config.toString(),
                    "--tls-ca", certs.ca().toString(), "--token-file");
            Result reader = run(concat(client, certs.dir().resolve("read.token").toString()), 120);
            assertEquals(2, reader.exit(), reader.output());
            assertTrue(reader.output().contains("read-only token cannot call CreateRun"), reader.output());

            Result writer = run(concat(client, certs.dir().resolve("write.token").toString()), 120);
            assertEquals(0, writer.exit(), writer.output());
            assertTrue(writer.output().contains("\"final_status\":\"RUN_STATUS_SUCCEEDED\""), writer.output());
        }
    }

    private static List<String> concat(List<String> head, String last) {
        List<String> all = new ArrayList<>(head);
        all.add(last);
        return all;
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(tmp, "process", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
