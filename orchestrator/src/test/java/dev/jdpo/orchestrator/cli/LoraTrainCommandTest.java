package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SharedBases;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.safetensors.SafetensorsFile;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdpo train} with LoRA on the tiny fixture: continuing {@code tiny-llama-lora} reproduces lora-golden.json's
 * loss, gradient norm and next-step loss; {@code final/} is a PEFT adapter that {@code jdpo merge} and
 * {@code jdpo score --adapter} turn into the golden log-probs; a new adapter starts at the base (loss ln 2).
 */
class LoraTrainCommandTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String BASE = ROOT.resolve("examples/tiny-llama").toString();

    @TempDir Path tmp;

    private static JsonObject golden() throws Exception {
        return JsonParser.parseString(Files.readString(ROOT.resolve("testdata/lora-golden.json"))).getAsJsonObject()
                .getAsJsonObject("lora_step");
    }

    /** The issue's command line, plus where to write and how many steps. */
    private List<String> issueCommand(Path data, Path output, String maxSteps) {
        return new ArrayList<>(List.of("train", "--policy", BASE,
                "--adapter", ROOT.resolve("examples/tiny-llama-lora").toString(),
                "--reference", ROOT.resolve("examples/tiny-llama-ref").toString(),
                "--data", data.toString(), "--loss", "sigmoid", "--beta", "0.1", "--lr", "1e-2",
                "--weight-decay", "0", "--max-grad-norm", "0", "--scheduler", "constant", "--warmup-steps", "0",
                "--batch-size", "4", "--grad-accum", "1", "--logging-steps", "1",
                "--max-steps", maxSteps, "--output", output.toString(),
                "--metrics-out", output.resolve("metrics.jsonl").toString(),
                "--state-dir", output.resolveSibling(output.getFileName() + "-state").toString()));
    }

    private static RunCommandsTest.Result jdpo(List<String> args) {
        return RunCommandsTest.jdpo(args.toArray(String[]::new));
    }

    @Test
    void continuedAdapterMatchesTheGoldenStepAndFinalIsAPeftAdapter() throws Exception {
        JsonObject golden = golden();
        Path data = TrainCommandTest.writeData(tmp);

        Path two = tmp.resolve("two");
        List<String> twoStepCommand = issueCommand(data, two, "2");
        twoStepCommand.addAll(List.of("--save-steps", "1"));
        RunCommandsTest.Result twoSteps = jdpo(twoStepCommand);
        assertEquals(0, twoSteps.exit(), twoSteps.err() + twoSteps.out());
        List<JsonObject> metrics = TrainCommandTest.trainingLines(two.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        assertRelative(golden.get("loss").getAsDouble(), metrics.get(0).get("loss").getAsDouble(), "step 1 loss");
        assertRelative(golden.get("grad_norm").getAsDouble(), metrics.get(0).get("grad_norm").getAsDouble(),
                "step 1 grad_norm (A and B only)");
        assertRelative(golden.get("loss_after_one_step").getAsDouble(), metrics.get(1).get("loss").getAsDouble(),
                "step 2 loss");

        List<String> resume = new ArrayList<>(twoStepCommand);
        resume.addAll(List.of("--resume", two.resolve("checkpoint-1").toString()));
        RunCommandsTest.Result resumed = jdpo(resume);
        assertEquals(0, resumed.exit(), resumed.err() + resumed.out());
        assertEquals(metrics.get(1).get("loss").getAsDouble(), TrainCommandTest.trainingLines(
                two.resolve("metrics.jsonl")).get(1).get("loss").getAsDouble(), 1e-9, "step 2 again from checkpoint-1");

        Path one = tmp.resolve("one");
        List<String> oneStep = issueCommand(data, one, "1");
        oneStep.add("--merge-at-end");
        RunCommandsTest.Result result = jdpo(oneStep);
        assertEquals(0, result.exit(), result.err() + result.out());
        Path adapter = one.resolve("final");
        for (String file : List.of(LoraAdapter.CONFIG_FILE, LoraAdapter.WEIGHTS_FILE, "config.json",
                "tokenizer.json")) {
            assertTrue(Files.isRegularFile(adapter.resolve(file)), file);
        }
        assertFalse(Files.exists(adapter.resolve("model.safetensors")), "the frozen base is not copied");
        assertTrue(Files.isRegularFile(one.resolve("checkpoint-1").resolve(LoraAdapter.WEIGHTS_FILE)));

        double[] expected = doubles(golden.getAsJsonArray("merged_chosen_logps_after"));
        Path merged = tmp.resolve("merged");
        RunCommandsTest.Result merge = RunCommandsTest.jdpo("merge", "--model", BASE, "--adapter",
                adapter.toString(), "--out", merged.toString());
        assertEquals(0, merge.exit(), merge.err());
        assertClose(expected, chosenLogps(RunCommandsTest.jdpo("score", "--model", merged.toString(),
                "--data", data.toString())), "jdpo merge then score");
        assertClose(expected, chosenLogps(RunCommandsTest.jdpo("score", "--model", BASE, "--adapter",
                adapter.toString(), "--data", data.toString())), "score --adapter final");
        assertClose(expected, chosenLogps(RunCommandsTest.jdpo("score", "--model",
                one.resolve("final-merged").toString(), "--data", data.toString())), "--merge-at-end");
    }

    @Test
    void newAdapterStartsAtTheBaseAndOnlyItTrains(@TempDir Path out) throws Exception {
        Path data = TrainCommandTest.writeData(tmp);
        Path output = out.resolve("run");
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--policy", BASE, "--data", data.toString(),
                "--loss", "sigmoid", "--lr", "1e-2", "--scheduler", "constant", "--warmup-steps", "0",
                "--batch-size", "4", "--max-steps", "2", "--logging-steps", "1",
                "--lora-r", "2", "--lora-alpha", "4", "--lora-target-modules", "all-linear", "--use-rslora",
                "--output", output.toString(), "--metrics-out", output.resolve("metrics.jsonl").toString(),
                "--state-dir", out.resolve("state").toString());
        assertEquals(0, result.exit(), result.err() + result.out());
        List<JsonObject> metrics = TrainCommandTest.trainingLines(output.resolve("metrics.jsonl"));
        assertEquals(Math.log(2), metrics.get(0).get("loss").getAsDouble(), 1e-6, "B = 0: policy == reference");
        assertTrue(metrics.get(1).get("loss").getAsDouble() < Math.log(2), "the adapter learns: " + metrics);

        JsonObject config = JsonParser.parseString(Files.readString(output.resolve("final")
                .resolve(LoraAdapter.CONFIG_FILE))).getAsJsonObject();
        assertEquals(2, config.get("r").getAsInt());
        assertEquals(4.0, config.get("lora_alpha").getAsDouble());
        assertTrue(config.get("use_rslora").getAsBoolean());
        try (CausalLM trained = CausalLM.load(Path.of(BASE), output.resolve("final"), LoadOptions.cpu())) {
            // 7 linear layers per decoder layer (q, k, v, o, gate, up, down) x 2 layers, A and B each
            assertEquals(28, trained.adapter().orElseThrow().parameters().size());
        }
        var moments = SafetensorsFile.open(output.resolve("checkpoint-2").resolve(Checkpoints.OPTIMIZER_FILE))
                .entries().keySet();
        assertEquals(56, moments.size(), "two AdamW moments per A and B, none for the frozen base");
        assertTrue(moments.stream().allMatch(name -> name.contains(".lora_A.") || name.contains(".lora_B.")),
                moments.toString());
    }

    /**
     * Embedded, the default reference and the trainer share one copy of the base, read from disk once per run in
     * either reference mode, and train as a trainer with a base of its own (--merge-at-end keeps it unshared).
     */
    @Test
    void theReferenceAndTheTrainerReadTheBaseOnce(@TempDir Path out) throws Exception {
        Path data = TrainCommandTest.writeData(tmp);
        List<List<Double>> losses = new ArrayList<>();
        for (String variant : List.of("precompute", "streaming", "merge-at-end")) {
            Path output = out.resolve(variant);
            List<String> args = new ArrayList<>(List.of("train", "--policy", BASE, "--data", data.toString(),
                    "--loss", "sigmoid", "--lr", "1e-2", "--scheduler", "constant", "--warmup-steps", "0",
                    "--batch-size", "4", "--max-steps", "2", "--logging-steps", "1", "--lora-r", "4",
                    "--output", output.toString(), "--metrics-out", output.resolve("metrics.jsonl").toString(),
                    "--state-dir", out.resolve("state-" + variant).toString()));
            args.addAll(variant.equals("merge-at-end") ? List.of("--merge-at-end")
                    : List.of("--set", "reference.mode=" + variant));
            long loads = SharedBases.loads();
            RunCommandsTest.Result result = jdpo(args);
            assertEquals(0, result.exit(), result.err() + result.out());
            // with --merge-at-end only the reference reads it through SharedBases; the trainer loads its own
            assertEquals(loads + 1, SharedBases.loads(), variant + ": the base is read once");
            List<JsonObject> metrics = TrainCommandTest.trainingLines(output.resolve("metrics.jsonl"));
            assertEquals(Math.log(2), metrics.get(0).get("loss").getAsDouble(), 1e-6, variant + ": step 1");
            losses.add(metrics.stream().map(line -> line.get("loss").getAsDouble()).toList());
        }
        assertEquals(losses.get(2), losses.get(0), "precompute on a shared base");
        assertEquals(losses.get(2), losses.get(1), "streaming on a shared base");
        assertTrue(losses.get(0).get(1) < Math.log(2), "the adapter learns: " + losses);
    }

    @Test
    void theDefaultReferenceOfAContinuedAdapterIsBasePlusThatAdapter(@TempDir Path out) throws Exception {
        Path data = TrainCommandTest.writeData(tmp);
        Path state = out.resolve("state");
        // the base alone is scored (and cached) first: the continued run must not reuse those entries
        for (String adapter : new String[] {null, ROOT.resolve("examples/tiny-llama-lora").toString()}) {
            Path output = out.resolve(adapter == null ? "new" : "continued");
            List<String> args = new ArrayList<>(List.of("train", "--policy", BASE, "--data", data.toString(),
                    "--loss", "sigmoid", "--batch-size", "4", "--max-steps", "1", "--output", output.toString(),
                    "--metrics-out", output.resolve("metrics.jsonl").toString(), "--state-dir", state.toString()));
            args.addAll(adapter == null ? List.of("--lora-r", "4") : List.of("--adapter", adapter));
            RunCommandsTest.Result result = jdpo(args);
            assertEquals(0, result.exit(), result.err() + result.out());
            JsonObject first = TrainCommandTest.trainingLines(output.resolve("metrics.jsonl")).get(0);
            assertEquals(Math.log(2), first.get("loss").getAsDouble(), 1e-6, "reference == starting policy");
        }
    }

    @Test
    void loraSettingsBesideAContinuedAdapterAreRefusedByField() {
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--policy", BASE, "--data",
                tmp.resolve("none.jsonl").toString(), "--adapter", ROOT.resolve("examples/tiny-llama-lora").toString(),
                "--lora-r", "4", "--output", tmp.resolve("out").toString(), "--state-dir",
                tmp.resolve("state").toString());
        assertEquals(1, result.exit(), result.out());
        assertTrue(result.err().contains("training.lora.r: set by training.lora.adapter's adapter_config.json"),
                result.err());
    }

    private static void assertRelative(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-4 * Math.abs(expected), what);
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4, what + ", pair " + i + ": " + Arrays.toString(actual));
        }
    }

    private static double[] doubles(JsonArray array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsDouble();
        }
        return values;
    }

    private static double[] chosenLogps(RunCommandsTest.Result result) {
        assertEquals(0, result.exit(), result.err());
        return result.out().lines().mapToDouble(line -> JsonParser.parseString(line).getAsJsonObject()
                .get("chosen_logp").getAsDouble()).toArray();
    }
}
