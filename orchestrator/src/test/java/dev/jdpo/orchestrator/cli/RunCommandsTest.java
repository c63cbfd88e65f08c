package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.trainer.checkpoint.TrainerState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** submit / watch / list / cancel / checkpoints against a loopback orchestrator, run in this JVM. */
class RunCommandsTest {

    @TempDir
    static Path tmp;
    static TestWorkspace workspace;
    static OrchestratorServer server;
    static String address;

    @BeforeAll
    static void start() throws Exception {
        workspace = new TestWorkspace(tmp);
        server = workspace.start(new ScriptedRunExecutor(6, 10, 2));
        address = "127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Exit code, stdout and stderr of one jdpo invocation. */
    record Result(int exit, String out, String err) {
    }

    static Result jdpo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private Path configFile(String name, String extra) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, "name: " + name + "\n"
                + "model: {policy: " + workspace.model() + "}\n"
                + "data: {training_file: " + workspace.trainingFile() + "}\n"
                + "hyperparameters: {n_epochs: 1, batch_size: 1}\n"
                + "output: {output_dir: " + tmp.resolve("out-" + name) + "}\n" + extra);
        return file;
    }

    @Test
    void submitWithWatchFollowsTheRunToSuccess() throws Exception {
        Result result = jdpo("submit", "--address", address, "--config", configFile("cli", "").toString(), "--watch");
        assertEquals(0, result.exit(), result.err());
        String[] lines = result.out().split("\n");
        String runId = lines[0];
        assertTrue(runId.matches("run-[a-z2-7]{20}"), runId);
        assertTrue(result.out().contains("[running] Training started"), result.out());
        assertTrue(result.out().contains("step 6/6"), result.out());
        assertTrue(result.out().contains("Hyperparameters: n_epochs=1 batch_size=1 "), result.out());
        assertTrue(result.out().contains("\nrun " + runId + " succeeded: Run succeeded; aligned model in "
                + tmp.resolve("out-cli").resolve("final") + "\n"), "the progress view's end line: " + result.out());
        // the summary: status and wall time, the last training metrics (the scripted loss is 1/step), the model
        assertTrue(result.out().matches("(?s).*\nsummary: run " + lines[0] + " succeeded in [0-9.]+s, step 6/6\n.*"),
                result.out());
        assertTrue(result.out().contains("\n  train (step 6): loss=0.1667 rewards/accuracies=0.5000\n"), result.out());
        assertEquals("  model: " + tmp.resolve("out-cli/final"), lines[lines.length - 1], result.out());

        Result list = jdpo("list", "--address", address, "--status", "succeeded");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains(runId) && list.out().contains("6/6"), list.out());

        Result checkpoints = jdpo("checkpoints", "--address", address, runId);
        assertEquals(List.of(
                "step 2\t" + tmp.resolve("out-cli/checkpoint-2") + "\tloss=0.5000",
                "step 4\t" + tmp.resolve("out-cli/checkpoint-4") + "\tloss=0.2500",
                "step 6\t" + tmp.resolve("out-cli/checkpoint-6") + "\tloss=0.1667"),
                checkpoints.out().lines().toList());

        Result json = jdpo("watch", "--address", address, "--json", "--after", "3", runId);
        assertEquals(0, json.exit());
        assertTrue(json.out().startsWith("{\"run_id\":\"" + runId + "\",\"sequence\":\"4\""), json.out());
    }

    @Test
    void reportWritesTheRunsPageFromTheApiAsTheRunWroteItAtTheEnd() throws Exception {
        Result submitted = jdpo("submit", "--address", address, "--config", configFile("report", "").toString(),
                "--watch");
        assertEquals(0, submitted.exit(), submitted.err());
        String runId = submitted.out().lines().findFirst().orElseThrow();
        Path page = tmp.resolve("report-page.html");
        Result report = jdpo("report", "--address", address, "--out", page.toString(), runId);
        assertEquals(0, report.exit(), report.err());
        assertEquals(page.toString(), report.out().strip());
        String html = Files.readString(page);
        assertTrue(html.contains("<h1>Run " + runId + "</h1>"), html);
        // the scripted run reports a loss at each of its 6 steps
        assertEquals(6, html.split("<figure data-metric=\"loss\">", -1)[1].split("</figure>")[0]
                .split("<circle class=\"pt\"", -1).length - 1, html);
        Path atTheEnd = tmp.resolve("out-report/report.html");
        for (int i = 0; i < 100 && !Files.exists(atTheEnd); i++) {
            Thread.sleep(100);
        }
        assertEquals(html, Files.readString(atTheEnd), "the run wrote the same page into its output_dir");

        Result unknown = jdpo("report", "--address", address, "run-aaaaaaaaaaaaaaaaaaaa");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("run-aaaaaaaaaaaaaaaaaaaa"), unknown.err());
    }

    @Test
    void watchJsonPrintsOnlyJsonLinesOnStandardOutput() throws Exception {
        String runId = jdpo("submit", "--address", address, "--config", configFile("json", "").toString(), "--watch")
                .out().lines().findFirst().orElseThrow();
        Result json = jdpo("watch", "--address", address, "--json", runId);
        assertEquals(0, json.exit(), json.err());
        List<String> lines = json.out().lines().toList();
        long sequence = 0;
        for (String line : lines) {
            JsonObject event = JsonParser.parseString(line).getAsJsonObject();
            assertEquals(runId, event.get("run_id").getAsString(), line);
            assertEquals(++sequence, event.get("sequence").getAsLong(), line);
        }
        JsonObject last = JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
        assertEquals("RUN_STATUS_SUCCEEDED", last.getAsJsonObject("status_change").get("status").getAsString());
        assertEquals("", json.err(), "the outcome was an event: nothing more to say");

        Result past = jdpo("watch", "--address", address, "--json", "--after", String.valueOf(sequence), runId);
        assertEquals(0, past.exit(), past.err());
        assertEquals("", past.out());
        assertTrue(past.err().startsWith("run " + runId + " succeeded; model in "), past.err());
    }

    @Test
    void submitResumeContinuesTheNewestCheckpointOrTheOneNamed() throws Exception {
        Path config = configFile("resume", "");
        String first = jdpo("submit", "--address", address, "--config", config.toString(), "--watch")
                .out().lines().findFirst().orElseThrow();
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, server.runs().get(first).getStatus());
        Path output = tmp.resolve("out-resume");
        for (String checkpoint : List.of("checkpoint-4", "checkpoint-6")) {
            Files.writeString(output.resolve(checkpoint).resolve(TrainerState.FILE), "{}");
        }

        Result newest = jdpo("submit", "--address", address, "--config", config.toString(), "--resume");
        assertEquals(0, newest.exit(), newest.err());
        assertEquals("jdpo: resuming from " + output.resolve("checkpoint-6"), newest.err().strip());
        assertEquals(output.resolve("checkpoint-6").toString(),
                server.runs().get(newest.out().strip()).getConfig().getOutput().getResumeFromCheckpoint());
        awaitEnd(newest.out().strip());

        Result named = jdpo("submit", "--address", address, "--config", config.toString(), "--resume",
                output.resolve("checkpoint-4").toString());
        assertEquals(0, named.exit(), named.err());
        assertEquals(output.resolve("checkpoint-4").toString(),
                server.runs().get(named.out().strip()).getConfig().getOutput().getResumeFromCheckpoint());
        awaitEnd(named.out().strip());

        Result none = jdpo("submit", "--address", address, "--config", configFile("fresh", "").toString(),
                "--resume");
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("output.resume_from_checkpoint: --resume without a value continues the "
                + "newest checkpoint-N in the output dir, and " + tmp.resolve("out-fresh") + " holds none"),
                none.err());
    }

    private static void awaitEnd(String runId) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!RunStatuses.isTerminal(server.runs().get(runId).getStatus()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void submitFlagsSetTheirConfigFieldsOverTheFileAndSet() throws Exception {
        Result result = jdpo("submit", "--address", address, "--config", configFile("flags", "").toString(),
                "--set", "training.beta=0.2", "--beta", "0.3", "--lr", "2e-4", "--loss", "ipo,sft",
                "--loss-weights", "1,0.5", "--save-steps", "7");
        assertEquals(0, result.exit(), result.err());
        RunConfig config = server.runs().get(result.out().strip()).getConfig();
        assertEquals(0.3, config.getTraining().getBeta(), "a flag wins over --set");
        assertEquals(2e-4, config.getTraining().getLearningRate());
        assertEquals(List.of("ipo", "sft"), config.getTraining().getLossTypesList());
        assertEquals(List.of(1.0, 0.5), config.getTraining().getLossWeightsList());
        assertEquals(7, config.getOutput().getCheckpointInterval());
        assertEquals(tmp.resolve("out-flags").toString(), config.getOutput().getOutputDir(), "the file's value kept");
    }

    @Test
    void eachServiceHasItsOwnDefaultPort() {
        CommandLine serve = JdpoCli.newCommandLine().getSubcommands().get("serve");
        Map<String, String> ports = new LinkedHashMap<>();
        for (String service : List.of("orchestrator", "tokenizer", "reference", "trainer")) {
            ports.put(service, serve.getSubcommands().get(service).getCommandSpec().findOption("--port").defaultValue());
        }
        assertEquals(Map.of("orchestrator", "50051", "tokenizer", "50052", "reference", "50053", "trainer", "50054"),
                ports);
    }

    @Test
    void badConfigFailsWithTheFieldPathAndNoStackTrace() throws Exception {
        Result result = jdpo("submit", "--address", address, "--config", configFile("bad", "").toString(),
                "--set", "training.beta=-1");
        assertEquals(1, result.exit());
        assertEquals("jdpo: INVALID_ARGUMENT: training.beta: must be > 0, got -1", result.err().strip());
        assertFalse(result.err().contains("\tat "));

        Result unknownField = jdpo("submit", "--address", address, "--set", "training.bta=1");
        assertEquals("jdpo: training.bta: unknown field", unknownField.err().strip());
    }

    @Test
    void unknownRunAndUnreachableServerAreOneLineErrors() throws Exception {
        Result missing = jdpo("cancel", "--address", address, "run-nothere");
        assertEquals(1, missing.exit());
        assertEquals("jdpo: NOT_FOUND: run run-nothere not found", missing.err().strip());

        Result down = jdpo("list", "--address", "127.0.0.1:" + TestWorkspace.freePort());
        assertEquals(1, down.exit());
        assertTrue(down.err().startsWith("jdpo: the orchestrator is unreachable"), down.err());
    }

    @Test
    void cancelReportsTheStoppedRun() throws Exception {
        try (OrchestratorServer slow = workspace.start(new ScriptedRunExecutor(10_000, 20, 0))) {
            String slowAddress = "127.0.0.1:" + slow.port();
            Result submitted = jdpo("submit", "--address", slowAddress, "--config", configFile("slow", "").toString());
            String runId = submitted.out().strip();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (slow.runs().get(runId).getStep() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Result cancelled = jdpo("cancel", "--address", slowAddress, runId);
            assertEquals(0, cancelled.exit(), cancelled.err());
            assertTrue(cancelled.out().startsWith("run " + runId + " cancelled at step "), cancelled.out());
            Result watched = jdpo("watch", "--address", slowAddress, runId);
            assertEquals(1, watched.exit(), "a cancelled run is not a success");
            assertTrue(watched.out().contains("run " + runId + " cancelled: Cancelled at step "), watched.out());
            assertTrue(watched.out().contains("\nsummary: run " + runId + " cancelled in "), watched.out());
            assertTrue(watched.out().strip().matches("(?s).*\n  last checkpoint: \\S+/checkpoint-[0-9]+"),
                    watched.out());
        }
    }
}
