package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
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

/**
 * {@code jdpo train} on the tiny models through the embedded orchestrator: progress, metrics file, loadable
 * checkpoints, refusal of a used output dir, resume, the default reference, and flags refused by config field.
 */
class TrainCommandTest {

    private static final Set<String> METRIC_KEYS = Set.of("step", "loss", "grad_norm", "learning_rate", "epoch",
            "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
            "logps/rejected", "logits/chosen", "logits/rejected", "num_tokens", "tokens_per_second",
            "pairs_per_second");

    private static Path repoRoot() {
        return Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** The golden pairs' text as a JSONL file. */
    static Path writeData(Path dir) throws Exception {
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
        options.put("--logging-steps", "1");
        options.put("--state-dir", output.resolveSibling("state").toString());
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

    /** The training reports of a metrics file (reference/ and eval_ reports carry no "loss"). */
    static List<JsonObject> trainingLines(Path file) throws Exception {
        return metricLines(file).stream().filter(line -> line.has("loss")).toList();
    }

    private static List<Integer> steps(Path file) throws Exception {
        return metricLines(file).stream().map(line -> line.get("step").getAsInt()).toList();
    }

    private static RunCommandsTest.Result train(List<String> args) {
        return RunCommandsTest.jdpo(args.toArray(String[]::new));
    }

    @Test
    void shortRunWritesMetricsAndLoadableCheckpointsThenResumes(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp);
        Path output = tmp.resolve("out");
        RunCommandsTest.Result result = train(trainArgs(data, output));
        assertEquals(0, result.exit(), result.err() + result.out());
        for (int step = 1; step <= 3; step++) {
            assertTrue(result.out().contains("step " + step + "/3 epoch "), result.out());
        }
        assertTrue(result.out().contains("Run succeeded; aligned model in " + output.resolve("final")), result.out());
        assertTrue(result.out().contains("before training: reference/cache_bytes="), result.out());
        assertFalse(result.out().contains("step 0/0"), result.out());

        assertEquals(List.of(0, 1, 2, 3), steps(output.resolve("metrics.jsonl")), "reference/ at 0, then training");
        List<JsonObject> metrics = trainingLines(output.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size());
        for (int i = 0; i < metrics.size(); i++) {
            assertTrue(metrics.get(i).keySet().containsAll(METRIC_KEYS), metrics.get(i).keySet().toString());
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

        String before = Files.readString(output.resolve("metrics.jsonl"));
        RunCommandsTest.Result again = train(trainArgs(data, output));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("output.output_dir: " + output + " already holds checkpoint-3 of an "
                + "earlier run; set output.resume_from_checkpoint"), again.err());
        assertEquals(before, Files.readString(output.resolve("metrics.jsonl")), "a refused run leaves the file");

        RunCommandsTest.Result resumed = train(trainArgs(data, output, "--resume",
                output.resolve("checkpoint-2").toString()));
        assertEquals(0, resumed.exit(), resumed.err() + resumed.out());
        assertEquals(List.of(0, 1, 2, 3), steps(output.resolve("metrics.jsonl")), "steps 0-2 kept, 3 written again");
        List<JsonObject> after = trainingLines(output.resolve("metrics.jsonl"));
        for (String key : List.of("loss", "grad_norm", "rewards/margins", "num_tokens", "epoch")) {
            assertEquals(metrics.get(2).get(key).getAsDouble(), after.get(2).get(key).getAsDouble(), 1e-9, key);
        }

        Path elsewhere = tmp.resolve("elsewhere");
        RunCommandsTest.Result branched = train(trainArgs(data, elsewhere, "--resume",
                output.resolve("checkpoint-2").toString()));
        assertEquals(0, branched.exit(), "a checkpoint may continue into a fresh dir: " + branched.err());
        RunCommandsTest.Result foreign = train(trainArgs(data, output, "--resume",
                elsewhere.resolve("checkpoint-3").toString()));
        assertEquals(1, foreign.exit());
        assertTrue(foreign.err().contains("output.output_dir: " + output + " already holds checkpoint-3"),
                "a checkpoint from elsewhere does not free a used dir: " + foreign.err());

        Path last = output.resolve("checkpoint-3");
        RunCommandsTest.Result finished = train(trainArgs(data, output, "--resume", ""));
        assertEquals(1, finished.exit(), finished.out());
        assertTrue(finished.err().contains("jdpo: training.max_steps: must be above 3 to train on: " + last
                + " is the last checkpoint of a finished run (step 3 of 3)"), "--resume alone takes the newest "
                + "checkpoint, and a finished run is not run again empty: " + finished.err());
        assertEquals("", finished.out(), "refused at CreateRun, before any event");

        RunCommandsTest.Result mismatch = train(trainArgs(data, output, "--resume", "", "--max-steps", "4",
                "--beta", "0.2", "--seed", "8"));
        assertEquals(1, mismatch.exit(), mismatch.out());
        assertTrue(mismatch.err().contains("training.beta: must stay 0.1 to resume " + last), mismatch.err());
        assertTrue(mismatch.err().contains("training.seed: must stay 7 to resume " + last), mismatch.err());
        assertEquals("", mismatch.out(), "refused before validation and scoring");

        RunCommandsTest.Result longer = train(trainArgs(data, output, "--resume", "", "--max-steps", "4"));
        assertEquals(0, longer.exit(), longer.err() + longer.out());
        assertTrue(longer.out().contains("step 4/4 epoch "), longer.out());
        assertEquals(List.of(0, 1, 2, 3, 4), steps(output.resolve("metrics.jsonl")), "the finished run goes on");
        assertTrue(Files.isRegularFile(output.resolve("checkpoint-4/trainer_state.json")));
    }

    @Test
    void withoutAReferenceTheFirstStepScoresAgainstThePolicysStartingWeights(@TempDir Path tmp) throws Exception {
        Path output = tmp.resolve("out");
        RunCommandsTest.Result result = train(trainArgs(writeData(tmp), output, "--reference", null,
                "--loss", "sigmoid", "--loss-weights", null, "--max-steps", "1"));
        assertEquals(0, result.exit(), result.err() + result.out());
        JsonObject first = trainingLines(output.resolve("metrics.jsonl")).get(0);
        assertEquals(Math.log(2), first.get("loss").getAsDouble(), 1e-6, "policy == reference: -log sigmoid(0)");
        assertEquals(0.0, first.get("rewards/margins").getAsDouble(), 1e-6);
    }

    @Test
    void refusesBadFlagsNamingTheConfigField(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp);
        RunCommandsTest.Result weights = train(trainArgs(data, tmp.resolve("out"), "--loss-weights", "1,2,3"));
        assertEquals(1, weights.exit());
        assertTrue(weights.err().contains("training.loss_weights"), weights.err());
        RunCommandsTest.Result beta = train(trainArgs(data, tmp.resolve("out"), "--beta", "0"));
        assertEquals(1, beta.exit());
        assertTrue(beta.err().contains("training.beta"), beta.err());
        RunCommandsTest.Result precision = train(trainArgs(data, tmp.resolve("out"), "--precision", "fp64"));
        assertEquals(1, precision.exit());
        assertTrue(precision.err().contains("model.precision"), precision.err());
        RunCommandsTest.Result resume = train(trainArgs(data, tmp.resolve("out"), "--resume", tmp.toString()));
        assertEquals(1, resume.exit());
        assertTrue(resume.err().contains("output.resume_from_checkpoint: " + tmp + " is not a checkpoint directory"),
                resume.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }
}
