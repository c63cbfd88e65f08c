package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdpo score} prints transformers' log-probs for the golden pairs and names bad input precisely. */
class ScoreCommandTest {

    private static Path repoRoot() {
        return Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    }

    private static JsonArray goldenPairs(String section) throws Exception {
        String json = Files.readString(repoRoot().resolve("testdata/golden.json"), StandardCharsets.UTF_8);
        return JsonParser.parseString(json).getAsJsonObject().getAsJsonObject(section).getAsJsonArray("pairs");
    }

    private static Path writeData(Path dir, JsonArray pairs) throws Exception {
        List<String> lines = new ArrayList<>();
        for (JsonElement element : pairs) {
            JsonObject pair = element.getAsJsonObject();
            JsonObject row = new JsonObject();
            for (String field : List.of("prompt", "chosen", "rejected")) {
                row.add(field, pair.get(field));
            }
            lines.add(row.toString());
        }
        return Files.write(dir.resolve("pairs.jsonl"), lines, StandardCharsets.UTF_8);
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

    private static void assertMatchesGolden(JsonArray pairs, List<String> lines) {
        assertEquals(pairs.size(), lines.size());
        for (int i = 0; i < pairs.size(); i++) {
            JsonObject pair = pairs.get(i).getAsJsonObject();
            JsonObject line = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(i, line.get("index").getAsInt());
            assertEquals(pair.get("chosen_logp").getAsDouble(), line.get("chosen_logp").getAsDouble(), 1e-4);
            assertEquals(pair.get("rejected_logp").getAsDouble(), line.get("rejected_logp").getAsDouble(), 1e-4);
            assertEquals(pair.getAsJsonArray("chosen_ids").size(), line.get("chosen_tokens").getAsInt());
            assertEquals(pair.getAsJsonArray("rejected_ids").size(), line.get("rejected_tokens").getAsInt());
        }
    }

    @Test
    void printsGoldenLogProbsForBothModels(@TempDir Path tmp) throws Exception {
        for (String[] model : new String[][] {{"tiny-llama", "golden"}, {"tiny-llama-ref", "golden_ref"}}) {
            JsonArray pairs = goldenPairs(model[1]);
            Path data = writeData(tmp, pairs);
            Object[] result = run("score", "--model", repoRoot().resolve("examples").resolve(model[0]).toString(),
                    "--data", data.toString(), "--batch-size", "3");
            assertEquals(0, result[0], (String) result[2]);
            assertMatchesGolden(pairs, ((String) result[1]).lines().toList());
        }
    }

    @Test
    void writesToOutFile(@TempDir Path tmp) throws Exception {
        JsonArray pairs = goldenPairs("golden");
        Path out = tmp.resolve("scores.jsonl");
        Object[] result = run("score", "--model", repoRoot().resolve("examples/tiny-llama").toString(),
                "--data", writeData(tmp, pairs).toString(), "--out", out.toString());
        assertEquals(0, result[0], (String) result[2]);
        assertEquals("", result[1]);
        assertMatchesGolden(pairs, Files.readAllLines(out));
    }

    @Test
    void badRowNamesFileLineAndField(@TempDir Path tmp) throws Exception {
        Path data = Files.write(tmp.resolve("bad.jsonl"), List.of(
                "{\"prompt\": \"Is the cat big?\", \"chosen\": \" Yes.\", \"rejected\": \" No.\"}",
                "",
                "{\"prompt\": \"Is the cat big?\", \"chosen\": \" Yes.\"}"), StandardCharsets.UTF_8);
        Object[] result = run("score", "--model", repoRoot().resolve("examples/tiny-llama").toString(),
                "--data", data.toString());
        assertEquals(1, result[0]);
        String err = (String) result[2];
        assertTrue(err.contains("bad.jsonl: line 3 rejected: MISSING_FIELD"), err);
        assertTrue(!err.contains("\tat "), "no stack trace: " + err);

        Files.writeString(data, "{\"prompt\": 1, \"chosen\": \" Yes.\", \"rejected\": \" No.\"}\n");
        err = (String) run("score", "--model", repoRoot().resolve("examples/tiny-llama").toString(),
                "--data", data.toString())[2];
        assertTrue(err.contains("bad.jsonl: line 1 prompt: WRONG_TYPE"), err);

        Files.writeString(data, "{\"prompt\": \"Is the cat big?\", \"chosen\": \" Yes.\", \"rejected\": \" No.\",}\n");
        err = (String) run("score", "--model", repoRoot().resolve("examples/tiny-llama").toString(),
                "--data", data.toString())[2];
        assertTrue(err.startsWith("jdpo: " + data + ": line 1: MALFORMED_JSON: malformed JSON: "), err);
        assertTrue(!err.contains("JsonReader") && !err.contains("Strictness"), "no library advice: " + err);
    }

    @Test
    void readsEveryFormatAndFileTypeTrainingTakes() throws Exception {
        Path examples = repoRoot().resolve("examples");
        List<String> scored = new ArrayList<>();
        for (String file : List.of("openai.jsonl", "openai.jsonl.gz", "trl-conversational.jsonl")) {
            Object[] result = run("score", "--model", examples.resolve("tiny-llama").toString(), "--data",
                    examples.resolve("data").resolve(file).toString());
            assertEquals(0, result[0], file + ": " + result[2]);
            scored.add((String) result[1]);
        }
        List<String> lines = scored.get(0).lines().toList();
        assertEquals(4, lines.size(), scored.get(0));
        for (String line : lines) {
            JsonObject pair = JsonParser.parseString(line).getAsJsonObject();
            assertTrue(pair.get("chosen_logp").getAsDouble() < 0 && pair.get("chosen_tokens").getAsInt() > 0, line);
        }
        assertEquals(scored.get(0), scored.get(1), "gzip reads as the plain file");
        assertEquals(scored.get(0), scored.get(2), "the same conversations in TRL's conversational format");
    }

    @Test
    void missingTokenizerIsATokenizerLoadExceptionNamingTheFile(@TempDir Path tmp) throws Exception {
        Path model = Files.createDirectory(tmp.resolve("model"));
        try (Stream<Path> files = Files.list(repoRoot().resolve("examples/tiny-llama"))) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals("tokenizer.json")) {
                    Files.copy(file, model.resolve(file.getFileName()));
                }
            }
        }
        Path data = writeData(tmp, goldenPairs("golden"));
        AtomicReference<Exception> thrown = new AtomicReference<>();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setExecutionExceptionHandler((ex, commandLine, parsed) -> {
            thrown.set(ex);
            return 1;
        });
        assertEquals(1, cli.execute("score", "--model", model.toString(), "--data", data.toString()));
        assertInstanceOf(TokenizerLoadException.class, thrown.get());
        assertTrue(thrown.get().getMessage().contains("tokenizer.json"), thrown.get().getMessage());
    }

    @Test
    void aNaNModelWritesValidJsonWithNullsAndExitsNonZero(@TempDir Path tmp) throws Exception {
        Path model = Files.createDirectory(tmp.resolve("nan-model"));
        try (Stream<Path> files = Files.list(repoRoot().resolve("examples/tiny-llama"))) {
            for (Path file : files.toList()) {
                Files.copy(file, model.resolve(file.getFileName()));
            }
        }
        // the final norm's weights all NaN (all-ones bits are NaN in F32, F16 and BF16): every logit is NaN
        Path weights = model.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonArray offsets = JsonParser.parseString(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8))
                .getAsJsonObject().getAsJsonObject("model.norm.weight").getAsJsonArray("data_offsets");
        int dataStart = 8 + (int) headerLength;
        Arrays.fill(bytes, dataStart + offsets.get(0).getAsInt(), dataStart + offsets.get(1).getAsInt(), (byte) 0xFF);
        Files.write(weights, bytes);

        Path data = writeData(tmp, goldenPairs("golden"));
        Object[] result = run("score", "--model", model.toString(), "--data", data.toString());
        assertEquals(1, result[0], (String) result[2]);
        List<String> lines = ((String) result[1]).lines().toList();
        assertEquals(goldenPairs("golden").size(), lines.size());
        for (String line : lines) {
            JsonObject parsed = JsonParser.parseString(line).getAsJsonObject();
            assertTrue(parsed.get("chosen_logp").isJsonNull() && parsed.get("rejected_logp").isJsonNull(), line);
        }
        assertTrue(((String) result[2]).contains("log-probs are not finite (written as null)"), (String) result[2]);
    }

    @Test
    void badModelAndBatchSizeAreUserErrors(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp, goldenPairs("golden"));
        Path model = Files.createDirectory(tmp.resolve("model"));
        Files.copy(repoRoot().resolve("examples/tiny-llama/tokenizer.json"), model.resolve("tokenizer.json"));
        Files.copy(repoRoot().resolve("examples/tiny-llama/tokenizer_config.json"),
                model.resolve("tokenizer_config.json"));
        Object[] result = run("score", "--model", model.toString(), "--data", data.toString());
        assertEquals(1, result[0]);
        assertTrue(((String) result[2]).contains("config.json"), (String) result[2]);

        result = run("score", "--model", repoRoot().resolve("examples/tiny-llama").toString(), "--data",
                data.toString(), "--batch-size", "0");
        assertTrue((int) result[0] != 0);
        assertTrue(((String) result[2]).contains("--batch-size must be positive"), (String) result[2]);
    }
}
