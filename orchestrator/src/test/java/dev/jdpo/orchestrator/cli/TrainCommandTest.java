package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdpo train} on the tiny models: metrics file, loadable checkpoints, resume, and refused input. */
class TrainCommandTest {

    private static final Set<String> METRIC_KEYS = Set.of("step", "loss", "grad_norm", "learning_rate", "epoch",
            "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
            "logps/rejected", "logits/chosen", "logits/rejected", "num_tokens", "tokens_per_second",
            "pairs_per_second");

    private static Path repoRoot() {
        return Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** The golden pairs' text as a JSONL file. */
    private static Path writeData(Path dir) throws Exception {
        String json = Files.readString(repoRoot().resolve("testdata/golden.json"), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("golden")
                .getAsJsonArray("pairs")) {
            JsonObject row = new JsonObject();
            for (String field : List.of("prompt", "chosen", "rejected")) {
                row.add(field, element.getAsJsonObject().get(field));
            }
            lines.add(row.toString());
        }
        return Files.write(dir.resolve("pairs.jsonl"), lines, StandardCharsets.UTF_8);
    }

    /** Runs the CLI; returns {exit code, stderr}. */
    private static Object[] run(List<String> args) {
        StringWriter err = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args.toArray(String[]::new));
        return new Object[] {code, err.toString()};
    }

    /**
     * A 3-step run's arguments; {@code overrides} are option/value pairs that replace the defaults (a null value
     * drops the option).
     */
    private static List<String> trainArgs(Path data, Path output, String... overrides) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--policy", repoRoot().resolve("examples/tiny-llama").toString());
        options.put("--reference", repoRoot().resolve("examples/tiny-llama-ref").toString());
        options.put("--data", data.toString());
        options.put("--output", output.toString());
        options.put("--metrics-out", output.resolve("metrics.jsonl").toString());
        options.put("--loss", "sigmoid,sft");
        options.put("--loss-weights", "1,0.5");
        options.put("--beta", "0.1");
        options.put("--lr", "1e-4");
        options.put("--batch-size", "2");
        options.put("--grad-accum", "1");
        options.put("--scheduler", "linear");
        options.put("--warmup-steps", "1");
        options.put("--max-steps", "3");
        options.put("--save-steps", "2");
        options.put("--seed", "7");
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                options.remove(overrides[i]);
            } else {
                options.put(overrides[i], overrides[i + 1]);
            }
        }
        List<String> args = new ArrayList<>(List.of("train"));
        options.forEach((option, value) -> {
            args.add(option);
            args.add(value);
        });
        return args;
    }

    private static List<JsonObject> metricLines(Path file) throws Exception {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lines.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return lines;
    }

    @Test
    void shortRunWritesMetricsAndLoadableCheckpointsThenResumes(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp);
        Path output = tmp.resolve("out");
        Object[] result = run(trainArgs(data, output));
        assertEquals(0, result[0], (String) result[1]);
        String err = (String) result[1];
        for (int step = 1; step <= 3; step++) {
            assertTrue(err.contains("step " + step + "/3  loss "), err);
        }

        List<JsonObject> metrics = metricLines(output.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size());
        for (int i = 0; i < metrics.size(); i++) {
            assertEquals(METRIC_KEYS, metrics.get(i).keySet());
            assertEquals(i + 1, metrics.get(i).get("step").getAsInt());
            assertTrue(Double.isFinite(metrics.get(i).get("loss").getAsDouble()));
        }
        assertEquals(0.0, metrics.get(0).get("learning_rate").getAsDouble(), "warmup starts at 0");

        for (String dir : List.of("checkpoint-2", "checkpoint-3", "final")) {
            try (CausalLM model = CausalLM.load(output.resolve(dir), LoadOptions.cpu())) {
                assertEquals(512, model.config().vocabSize());
            }
        }
        assertTrue(Files.isRegularFile(output.resolve("checkpoint-3/optimizer.safetensors")));
        assertTrue(Files.isRegularFile(output.resolve("checkpoint-3/trainer_state.json")));
        assertTrue(Files.isRegularFile(output.resolve("checkpoint-3/tokenizer.json")));

        Object[] again = run(trainArgs(data, output));
        assertEquals(1, again[0]);
        assertTrue(((String) again[1]).contains("output: " + output + " already holds checkpoints"),
                (String) again[1]);

        Object[] resumed = run(trainArgs(data, output, "--resume", output.resolve("checkpoint-2").toString()));
        assertEquals(0, resumed[0], (String) resumed[1]);
        List<JsonObject> after = metricLines(output.resolve("metrics.jsonl"));
        assertEquals(3, after.size());
        for (String key : List.of("loss", "grad_norm", "rewards/margins", "num_tokens", "epoch")) {
            assertEquals(metrics.get(2).get(key).getAsDouble(), after.get(2).get(key).getAsDouble(), key);
        }
    }

    @Test
    void refusesMismatchedLossWeightsNamingTheField(@TempDir Path tmp) throws Exception {
        Object[] result = run(trainArgs(writeData(tmp), tmp.resolve("out"), "--loss-weights", "1,2,3"));
        assertEquals(1, result[0]);
        assertTrue(((String) result[1]).contains(
                "loss_weights: expected 2 values for loss_type [sigmoid, sft], got 3"), (String) result[1]);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void refusesReferenceLossWithoutReferenceAndBadBeta(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp);
        Object[] noReference = run(trainArgs(data, tmp.resolve("out"), "--reference", null));
        assertEquals(1, noReference[0]);
        assertTrue(((String) noReference[1]).contains("reference: loss_type [sigmoid] needs a reference model"),
                (String) noReference[1]);
        Object[] badBeta = run(trainArgs(data, tmp.resolve("out"), "--beta", "0"));
        assertEquals(1, badBeta[0]);
        assertTrue(((String) badBeta[1]).contains("beta: must be a finite number > 0, got 0.0"),
                (String) badBeta[1]);
    }
}
