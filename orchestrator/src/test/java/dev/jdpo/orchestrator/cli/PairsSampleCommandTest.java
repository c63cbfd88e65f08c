package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.CriteriaFileReader;
import dev.jdpo.evaluation.criteria.GeneratedAnswer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdpo pairs sample} end to end on the tiny Llama. */
class PairsSampleCommandTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String MODEL = ROOT.resolve("examples/tiny-llama").toString();
    private static final Pattern SUMMARY =
            Pattern.compile("(\\d+) of (\\d+) prompts yielded a pair \\((\\d+) ties, (\\d+) blank answers left out\\)");

    @TempDir Path dir;

    private static Object[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }

    private Path prompts() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rows.add("{\"prompt\": \"Describe item " + i + " briefly.\"}");
        }
        return Files.write(dir.resolve("prompts.jsonl"), rows, StandardCharsets.UTF_8);
    }

    private Object[] sample(Path criteria, Path out, String seed) throws Exception {
        return run("pairs", "sample", "--model", MODEL, "--prompts", prompts().toString(), "--num-samples", "4",
                "--criteria", criteria.toString(), "--out", out.toString(), "--temperature", "1.0",
                "--max-new-tokens", "10", "--seed", seed);
    }

    @Test
    void writesTheBestOverTheWorstOfEachPromptThatHasAGap() throws Exception {
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"),
                "criteria:\n  - name: short\n    word_limit: {max: 3}\n");
        Path out = dir.resolve("pairs.jsonl");
        Object[] result = sample(criteria, out, "7");
        assertEquals(0, result[0], (String) result[2]);
        Matcher summary = SUMMARY.matcher((String) result[1]);
        assertTrue(summary.find(), (String) result[1]);
        int pairs = Integer.parseInt(summary.group(1));
        assertEquals(8, Integer.parseInt(summary.group(2)));
        assertEquals(8, pairs + Integer.parseInt(summary.group(3)), "every prompt yields a pair or is a tie");
        assertTrue(pairs > 0, "sampled answers of the random tiny model vary in length: " + result[1]);
        List<String> lines = Files.readAllLines(out);
        assertEquals(pairs, lines.size());
        Checker checker = CriteriaFileReader.read(criteria).get(0);
        for (String text : lines) {
            JsonObject line = JsonParser.parseString(text).getAsJsonObject();
            String user = line.getAsJsonObject("input").getAsJsonArray("messages").get(0).getAsJsonObject()
                    .get("content").getAsString();
            assertTrue(user.startsWith("Describe item "), text);
            String preferred = content(line, "preferred_output");
            String rejected = content(line, "non_preferred_output");
            double better = checker.check(new GeneratedAnswer(new JsonObject(), user, preferred, 0)).score();
            double worse = checker.check(new GeneratedAnswer(new JsonObject(), user, rejected, 0)).score();
            assertTrue(better > worse, "preferred must score higher: " + text);
        }
        Path again = dir.resolve("again.jsonl");
        assertEquals(0, sample(criteria, again, "7")[0]);
        assertEquals(lines, Files.readAllLines(again), "sampling is seeded");
        Path other = dir.resolve("other.jsonl");
        assertEquals(0, sample(criteria, other, "8")[0]);
        assertNotEquals(lines, Files.readAllLines(other), "another seed samples other answers");
    }

    @Test
    void promptsWhoseAnswersAllScoreTheSameYieldNoPair() throws Exception {
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"),
                "criteria:\n  - name: anything\n    regex: {must_not_match: \"\\\\A\\\\z\"}\n");
        Path out = dir.resolve("pairs.jsonl");
        Object[] result = sample(criteria, out, "7");
        assertEquals(0, result[0], (String) result[2]);
        Matcher summary = SUMMARY.matcher((String) result[1]);
        assertTrue(summary.find(), (String) result[1]);
        assertEquals("0", summary.group(1));
        assertEquals("8", summary.group(3));
        assertEquals(List.of(), Files.readAllLines(out));
    }

    @Test
    void oneSampleOrGreedyDecodingIsAUsageError() throws Exception {
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"),
                "criteria:\n  - name: short\n    word_limit: {max: 3}\n");
        Object[] one = run("pairs", "sample", "--model", MODEL, "--prompts", prompts().toString(), "--num-samples",
                "1", "--criteria", criteria.toString(), "--out", dir.resolve("p.jsonl").toString());
        assertEquals(2, one[0]);
        assertTrue(((String) one[2]).contains("--num-samples must be at least 2"), (String) one[2]);
        Object[] greedy = run("pairs", "sample", "--model", MODEL, "--prompts", prompts().toString(),
                "--num-samples", "3", "--criteria", criteria.toString(), "--out", dir.resolve("p.jsonl").toString());
        assertEquals(2, greedy[0]);
        assertTrue(((String) greedy[2]).contains("needs sampling"), (String) greedy[2]);
    }

    private static String content(JsonObject line, String field) {
        return line.getAsJsonArray(field).get(0).getAsJsonObject().get("content").getAsString();
    }
}
