package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.model.generate.Generator;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdpo generate} and {@code jdpo evaluate} end to end on the tiny Llama. */
class GenerateEvaluateCommandTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String MODEL = ROOT.resolve("examples/tiny-llama").toString();

    @TempDir Path dir;

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

    @Test
    void generatePrintsTheGreedyAnswerByDefault() throws Exception {
        Object[] result = run("generate", "--model", MODEL, "--prompt", "What is 3 + 4? Answer:",
                "--max-new-tokens", "7");
        assertEquals(0, result[0], (String) result[2]);
        List<String> lines = ((String) result[1]).lines().toList();
        assertEquals(1, lines.size());
        JsonObject line = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        try (TextTokenizer tokenizer = TextTokenizer.load(Path.of(MODEL));
             CausalLM model = CausalLM.load(Path.of(MODEL), LoadOptions.cpu())) {
            // tiny-llama's generation_config.json: greedy, eos 2
            var expected = new Generator(model).generate(tokenizer.encode("What is 3 + 4? Answer:"),
                    GenerationOptions.greedy(7, List.of(2)));
            int[] answer = expected.stopped() ? Arrays.copyOf(expected.tokens(), expected.tokens().length - 1)
                    : expected.tokens();
            assertEquals(tokenizer.decode(answer), line.get("answer").getAsString());
            assertEquals(answer.length, line.get("tokens").getAsInt());
            assertEquals(expected.stopped() ? "stop" : "length", line.get("finish_reason").getAsString());
        }
        assertEquals("What is 3 + 4? Answer:", line.get("prompt").getAsString());
        assertEquals(0, line.get("index").getAsInt());
    }

    @Test
    void generateWritesEverySampledSequenceOfEveryRow() throws Exception {
        Path data = Files.write(dir.resolve("prompts.jsonl"), List.of("{\"prompt\": \"Can birds fly?\"}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"), StandardCharsets.UTF_8);
        Path out = dir.resolve("out.jsonl");
        Object[] result = run("generate", "--model", MODEL, "--data", data.toString(), "--temperature", "0.9",
                "--top-p", "0.95", "--num-return-sequences", "3", "--max-new-tokens", "5", "--seed", "4",
                "--out", out.toString());
        assertEquals(0, result[0], (String) result[2]);
        List<String> lines = Files.readAllLines(out);
        assertEquals(6, lines.size());
        for (int k = 0; k < 6; k++) {
            JsonObject line = JsonParser.parseString(lines.get(k)).getAsJsonObject();
            assertEquals(k / 3, line.get("index").getAsInt());
            assertEquals(k % 3, line.get("sequence").getAsInt());
        }
        assertTrue(JsonParser.parseString(lines.get(3)).getAsJsonObject().get("prompt").isJsonArray());
    }

    @Test
    void generateRefusesBadFlagsWithTheirName() {
        Object[] greedy = run("generate", "--model", MODEL, "--prompt", "x", "--num-return-sequences", "2");
        assertEquals(2, greedy[0]);
        assertTrue(((String) greedy[2]).startsWith("--num-return-sequences 2 needs sampling"), (String) greedy[2]);
        Object[] topP = run("generate", "--model", MODEL, "--prompt", "x", "--top-p", "1.5");
        assertEquals(2, topP[0]);
        assertTrue(((String) topP[2]).startsWith("--top-p must be in (0, 1], got 1.5"), (String) topP[2]);
        Object[] both = run("generate", "--model", MODEL, "--prompt", "x", "--data", "y.jsonl");
        assertEquals(2, both[0]);
        assertTrue(((String) both[2]).contains("mutually exclusive"), (String) both[2]);
        Object[] missing = run("generate", "--model", MODEL, "--data", dir.resolve("none.jsonl").toString());
        assertEquals(1, missing[0]);
        assertEquals("jdpo: " + dir.resolve("none.jsonl") + ": no such data file", ((String) missing[2]).strip());
    }

    @Test
    void evaluatePrintsPassRatesThatTheWrittenVerdictsAddUpTo() throws Exception {
        Path data = Files.write(dir.resolve("prompts.jsonl"), List.of(
                "{\"prompt\": \"What is 3 + 4? Answer:\", \"answer\": \"7\", \"max_words\": 1}",
                "{\"prompt\": \"Can birds fly?\", \"answer\": \"yes\", \"max_words\": 3}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"Is the cat big?\"}], \"answer\": \"no\", "
                        + "\"max_words\": 2}",
                "{\"prompt\": \"Give a short summary.\", \"answer\": \"ok\", \"max_words\": 9}"),
                StandardCharsets.UTF_8);
        Path checker = Files.copy(ROOT.resolve("evaluation/src/test/resources/criteria/checker.js"),
                dir.resolve("checker.js"));
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"), String.join("\n",
                "criteria:",
                "  - name: within_words",
                "    word_limit: {max_field: max_words}",
                "  - name: short",
                "    token_limit: {max: 3}",
                "  - name: no_digits",
                "    regex: {must_not_match: '[0-9]'}",
                "  - name: correct",
                "    exact_answer: {field: answer, ignore_case: true}",
                "  - name: json",
                "    json: {}",
                "  - name: says_answer",
                "    command: {argv: [node, " + checker.getFileName() + "]}",
                ""));
        Path out = dir.resolve("evaluation.jsonl");
        Object[] result = run("evaluate", "--model", MODEL, "--data", data.toString(), "--criteria",
                criteria.toString(), "--out", out.toString(), "--max-new-tokens", "6", "--batch-size", "3");
        assertEquals(0, result[0], (String) result[2]);
        List<JsonObject> lines = Files.readAllLines(out).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
        assertEquals(4, lines.size());
        String table = (String) result[1];
        for (String name : List.of("within_words", "short", "no_digits", "correct", "json", "says_answer")) {
            int passed = 0;
            for (JsonObject line : lines) {
                passed += line.getAsJsonObject("verdicts").getAsJsonObject(name).get("pass").getAsBoolean() ? 1 : 0;
            }
            Matcher row = Pattern.compile("(?m)^" + name + " +(\\d+) +(\\d+) +([0-9.]+)%").matcher(table);
            assertTrue(row.find(), table);
            assertEquals(passed, Integer.parseInt(row.group(1)), name);
            assertEquals(4 - passed, Integer.parseInt(row.group(2)), name);
            assertEquals(100.0 * passed / 4, Double.parseDouble(row.group(3)), 0.05, name);
        }
        for (JsonObject line : lines) {
            String answer = line.get("answer").getAsString();
            long words = Arrays.stream(answer.strip().split("\\s+")).filter(w -> !w.isEmpty()).count();
            int limit = new int[] {1, 3, 2, 9}[line.get("index").getAsInt()];
            assertEquals(words <= limit, line.getAsJsonObject("verdicts").getAsJsonObject("within_words")
                    .get("pass").getAsBoolean(), answer);
            assertEquals(line.get("tokens").getAsInt() <= 3, line.getAsJsonObject("verdicts")
                    .getAsJsonObject("short").get("pass").getAsBoolean());
            assertEquals(!answer.matches("(?s).*[0-9].*"), line.getAsJsonObject("verdicts")
                    .getAsJsonObject("no_digits").get("pass").getAsBoolean(), answer);
        }
        assertTrue(table.contains("generations and verdicts: " + out), table);
    }

    @Test
    void evaluateNamesTheBadCriterionField() throws Exception {
        Path data = Files.write(dir.resolve("prompts.jsonl"), List.of("{\"prompt\": \"x\"}"), StandardCharsets.UTF_8);
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"),
                "criteria:\n  - name: r\n    regex: {must_match: a, must_not_match: b}\n");
        Object[] result = run("evaluate", "--model", MODEL, "--data", data.toString(), "--criteria",
                criteria.toString(), "--out", dir.resolve("e.jsonl").toString());
        assertEquals(1, result[0]);
        assertEquals("jdpo: " + criteria + ": criteria[0].regex: set exactly one of must_match and must_not_match",
                ((String) result[2]).strip());
    }

    /**
     * {@code --adapter}: a new adapter (B zero) answers exactly as the base does; a trained one (the PEFT fixture)
     * answers as the model it merges into, in {@code generate} and in {@code evaluate}.
     */
    @Test
    void generateAndEvaluateWithAnAdapter() throws Exception {
        String prompt = "What is 3 + 4? Answer:";
        Path zeroB = dir.resolve("zero-b");
        try (CausalLM base = CausalLM.load(Path.of(MODEL), LoadOptions.cpu())) {
            base.attachAdapter(LoraAdapter.create(base, new LoraConfig(4, 8, 0, false, TargetModules.allLinear()),
                    3, false));
            base.saveAdapter(zeroB);
        }
        String baseAnswer = answer(run("generate", "--model", MODEL, "--prompt", prompt, "--max-new-tokens", "12"));
        assertEquals(baseAnswer, answer(run("generate", "--model", MODEL, "--adapter", zeroB.toString(), "--prompt",
                prompt, "--max-new-tokens", "12")));

        String adapter = ROOT.resolve("examples/tiny-llama-lora").toString();
        Path merged = dir.resolve("merged");
        Object[] merge = run("merge", "--model", MODEL, "--adapter", adapter, "--out", merged.toString());
        assertEquals(0, merge[0], (String) merge[2]);
        String mergedAnswer = answer(run("generate", "--model", merged.toString(), "--prompt", prompt,
                "--max-new-tokens", "12"));
        String adapted = answer(run("generate", "--model", MODEL, "--adapter", adapter, "--prompt", prompt,
                "--max-new-tokens", "12"));
        assertEquals(mergedAnswer, adapted);
        assertNotEquals(baseAnswer, adapted, "the fixture adapter changes the answer, or this shows nothing");

        Path data = Files.write(dir.resolve("prompts.jsonl"), List.of("{\"prompt\": \"" + prompt + "\"}"),
                StandardCharsets.UTF_8);
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"),
                "criteria:\n  - name: r\n    regex: {must_match: a}\n");
        Path out = dir.resolve("evaluation.jsonl");
        Object[] evaluated = run("evaluate", "--model", MODEL, "--adapter", adapter, "--data", data.toString(),
                "--criteria", criteria.toString(), "--out", out.toString(), "--max-new-tokens", "12");
        assertEquals(0, evaluated[0], (String) evaluated[2]);
        assertEquals(mergedAnswer, JsonParser.parseString(Files.readAllLines(out).get(0)).getAsJsonObject()
                .get("answer").getAsString());
    }

    private static String answer(Object[] result) {
        assertEquals(0, result[0], (String) result[2]);
        return JsonParser.parseString(((String) result[1]).strip()).getAsJsonObject().get("answer").getAsString();
    }
}
