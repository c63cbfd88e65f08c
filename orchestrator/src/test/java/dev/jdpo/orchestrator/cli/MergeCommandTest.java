package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.safetensors.SafetensorsFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jdpo merge} and {@code jdpo score --adapter} on the PEFT fixture adapter: both give lora-golden.json's
 * log-probs, and agree with each other.
 */
class MergeCommandTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String BASE = ROOT.resolve("examples/tiny-llama").toString();
    private static final String ADAPTER = ROOT.resolve("examples/tiny-llama-lora").toString();

    @TempDir Path tmp;

    @Test
    void mergedModelAndBasePlusAdapterScoreAsPeft() throws Exception {
        Path data = writeGoldenPairs();
        Path merged = tmp.resolve("merged");
        Object[] merge = run("merge", "--model", BASE, "--adapter", ADAPTER, "--out", merged.toString());
        assertEquals(0, merge[0], (String) merge[2]);
        for (String file : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                "tokenizer_config.json", "chat_template.jinja")) {
            assertTrue(Files.isRegularFile(merged.resolve(file)), file);
        }
        double[] fromMerged = chosenLogps(run("score", "--model", merged.toString(), "--data", data.toString()));
        double[] withAdapter = chosenLogps(run("score", "--model", BASE, "--adapter", ADAPTER,
                "--data", data.toString()));
        JsonObject step = JsonParser.parseString(Files.readString(ROOT.resolve("testdata/lora-golden.json")))
                .getAsJsonObject().getAsJsonObject("lora_step");
        var golden = step.getAsJsonArray("policy_chosen_logps");
        for (int i = 0; i < golden.size(); i++) {
            assertEquals(golden.get(i).getAsDouble(), withAdapter[i], 1e-4, "score --adapter, pair " + i);
            assertEquals(golden.get(i).getAsDouble(), fromMerged[i], 1e-4, "merged, pair " + i);
            assertEquals(withAdapter[i], fromMerged[i], 1e-5, "merged vs adapter, pair " + i);
        }
    }

    @Test
    void dtypeSetsTheSavedTensorsAndConfig() throws Exception {
        Path merged = tmp.resolve("bf16");
        Object[] merge = run("merge", "--model", BASE, "--adapter", ADAPTER, "--out", merged.toString(),
                "--dtype", "bf16");
        assertEquals(0, merge[0], (String) merge[2]);
        JsonObject config = JsonParser.parseString(Files.readString(merged.resolve("config.json"))).getAsJsonObject();
        // transformers 5 writes "dtype" (the fixture's spelling), older versions "torch_dtype"
        assertEquals("bfloat16", config.get(config.has("dtype") ? "dtype" : "torch_dtype").getAsString());
        SafetensorsFile weights = SafetensorsFile.open(merged.resolve("model.safetensors"));
        assertTrue(weights.entries().values().stream().allMatch(entry -> entry.dtypeName().equals("BF16")));
    }

    @Test
    void badArgumentsAndAdaptersAreNamed() throws Exception {
        Files.writeString(Files.createDirectories(tmp.resolve("used")).resolve("keep.txt"), "x");
        Object[] nonEmpty = run("merge", "--model", BASE, "--adapter", ADAPTER,
                "--out", tmp.resolve("used").toString());
        assertEquals(2, nonEmpty[0]);
        assertTrue(((String) nonEmpty[2]).contains("is not empty"), (String) nonEmpty[2]);
        Object[] dtype = run("merge", "--model", BASE, "--adapter", ADAPTER, "--out", tmp.resolve("a").toString(),
                "--dtype", "f8");
        assertEquals(2, dtype[0]);
        assertTrue(((String) dtype[2]).contains("--dtype must be f32, f16 or bf16, got f8"), (String) dtype[2]);

        Path dora = Files.createDirectories(tmp.resolve("dora"));
        Files.copy(Path.of(ADAPTER, "adapter_model.safetensors"), dora.resolve("adapter_model.safetensors"));
        JsonObject config = JsonParser.parseString(Files.readString(Path.of(ADAPTER, "adapter_config.json")))
                .getAsJsonObject();
        config.addProperty("use_dora", true);
        Files.writeString(dora.resolve("adapter_config.json"), config.toString());
        Object[] refused = run("score", "--model", BASE, "--adapter", dora.toString(),
                "--data", writeGoldenPairs().toString());
        assertEquals(1, refused[0]);
        String message = (String) refused[2];
        assertTrue(message.startsWith("jdpo: ") && message.contains("field use_dora is true: DoRA is not supported"),
                message);
        assertTrue(!message.contains("\tat "), "no stack trace: " + message);
    }

    private Path writeGoldenPairs() throws Exception {
        JsonObject golden = JsonParser.parseString(Files.readString(ROOT.resolve("testdata/golden.json")))
                .getAsJsonObject().getAsJsonObject("golden");
        List<String> lines = new ArrayList<>();
        for (JsonElement element : golden.getAsJsonArray("pairs")) {
            JsonObject row = new JsonObject();
            for (String field : List.of("prompt", "chosen", "rejected")) {
                row.add(field, element.getAsJsonObject().get(field));
            }
            lines.add(row.toString());
        }
        return Files.write(tmp.resolve("pairs.jsonl"), lines, StandardCharsets.UTF_8);
    }

    private static double[] chosenLogps(Object[] result) {
        assertEquals(0, result[0], (String) result[2]);
        return ((String) result[1]).lines().mapToDouble(line -> JsonParser.parseString(line).getAsJsonObject()
                .get("chosen_logp").getAsDouble()).toArray();
    }

    /** Runs the CLI; returns {exit code, stdout, stderr}. */
    private static Object[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }
}
