package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdpo validate}: text and JSON reports, exit codes, and errors without stack traces. */
class ValidateCommandTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String MODEL = ROOT.resolve("examples/tiny-llama").toString();

    /** Exit code, stdout, stderr. */
    record Result(int code, String out, String err) { }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void cleanFileExitsZeroWithASummary() {
        Result r = run("validate", "--data", ROOT.resolve("examples/data/openai.jsonl").toString(), "--model", MODEL);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format: openai"), r.out());
        assertTrue(r.out().contains("valid pairs: 4"), r.out());
        assertTrue(r.out().contains("bad rows: 0"), r.out());
    }

    @Test
    void emptyFileThatTrainWouldRefuseExitsNonZero(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("empty.jsonl"));
        Result r = run("validate", "--data", file.toString(), "--model", MODEL);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("holds no usable preference pair"), r.out());
    }

    @Test
    void badLinesAreListedAndExitNonZero(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\": \"Q?\", \"chosen\": \" a\", \"rejected\": \" b\"}\n"
                + "{\"prompt\": \"Q?\", \"chosen\": \" a\", \"rejected\": \" a\"}\n"
                + "not json\n"
                + "{\"prompt\": \"" + "tree ".repeat(60) + "\", \"chosen\": \" a\", \"rejected\": \" b\"}\n");
        Result r = run("validate", "--data", file.toString(), "--model", MODEL, "--max-length", "32");
        assertEquals(1, r.code());
        assertTrue(r.out().contains("line 2 rejected: IDENTICAL_COMPLETIONS"), r.out());
        assertTrue(r.out().contains("line 3: MALFORMED_JSON"), r.out());
        assertTrue(r.out().contains("line 4 prompt: PROMPT_TOO_LONG"), r.out());
        assertTrue(r.out().contains("bad rows: 3"), r.out());
        assertTrue(r.out().contains("dropped pairs (prompt too long): 1"), r.out());
    }

    @Test
    void jsonReportIsMachineReadable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\": \"Q?\", \"chosen\": \" a\", \"rejected\": \" b\"}\n[1]\n");
        Result r = run("validate", "--data", file.toString(), "--model", MODEL, "--json");
        assertEquals(1, r.code());
        JsonObject report = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(1, report.get("pairs").getAsInt());
        assertEquals(1, report.get("bad_rows").getAsInt());
        JsonObject entry = report.getAsJsonArray("entries").get(0).getAsJsonObject();
        assertEquals(2, entry.get("line").getAsInt());
        assertEquals("NOT_AN_OBJECT", entry.get("code").getAsString());
        assertEquals(1, report.getAsJsonObject("error_counts").get("NOT_AN_OBJECT").getAsInt());
    }

    @Test
    void formatCanBeForced() {
        Result r = run("validate", "--data", ROOT.resolve("examples/data/orca.jsonl").toString(), "--model", MODEL,
                "--format", "trl-standard");
        assertEquals(1, r.code());
        assertTrue(r.out().contains("line 1 prompt: MISSING_FIELD"), r.out());
    }

    @Test
    void unreadableInputIsOneLineWithoutAStackTrace() {
        Result noModel = run("validate", "--data", ROOT.resolve("examples/data/orca.jsonl").toString(),
                "--model", "/nonexistent/model");
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().contains("tokenizer.json"), noModel.err());
        assertFalse(noModel.err().contains("\tat "), noModel.err());

        Result noData = run("validate", "--data", "/nonexistent/data.jsonl", "--model", MODEL);
        assertEquals(1, noData.code());
        assertTrue(noData.err().contains("/nonexistent/data.jsonl"), noData.err());

        Result badFormat = run("validate", "--data", "/nonexistent/data.jsonl", "--model", MODEL, "--format", "csv");
        assertEquals(1, badFormat.code());
        assertTrue(badFormat.err().contains("unknown data format 'csv'"), badFormat.err());
    }
}
