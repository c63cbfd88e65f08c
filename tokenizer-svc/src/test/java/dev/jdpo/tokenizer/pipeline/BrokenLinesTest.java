package dev.jdpo.tokenizer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.data.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 1,000-line OpenAI-format file with 37 lines broken in 12 different ways. */
class BrokenLinesTest {

    static final int LINES = 1000;
    static final int MAX_LENGTH = 200;

    /** The ways a line is broken: code, field path, and how to break a good row. */
    enum Breakage {
        TRUNCATED_JSON(ErrorCode.MALFORMED_JSON, ""),
        BAD_UTF8(ErrorCode.INVALID_UTF8, ""),
        ARRAY_ROW(ErrorCode.NOT_AN_OBJECT, ""),
        NO_REJECTED(ErrorCode.MISSING_FIELD, "non_preferred_output"),
        OUTPUT_IS_STRING(ErrorCode.WRONG_TYPE, "preferred_output"),
        NARRATOR_ROLE(ErrorCode.UNKNOWN_ROLE, "input.messages[0].role"),
        BLANK_ANSWER(ErrorCode.EMPTY_CONTENT, "preferred_output[0].content"),
        SAME_ANSWERS(ErrorCode.IDENTICAL_COMPLETIONS, "non_preferred_output"),
        USER_IN_OUTPUT(ErrorCode.INVALID_OUTPUT_ROLE, "preferred_output[0].role"),
        TOOL_ONLY_OUTPUT(ErrorCode.MISSING_ASSISTANT_MESSAGE, "non_preferred_output"),
        HUGE_PROMPT(ErrorCode.PROMPT_TOO_LONG, "input.messages"),
        DEEP_TOOLS(ErrorCode.NESTING_TOO_DEEP, "");

        final ErrorCode code;
        final String field;

        Breakage(ErrorCode code, String field) {
            this.code = code;
            this.field = field;
        }
    }

    record Broken(long line, Breakage how) { }

    static Path file;
    static List<Broken> broken = new ArrayList<>();

    @BeforeAll
    static void writeFile(@TempDir Path dir) throws Exception {
        Breakage[] ways = Breakage.values();
        for (int i = 0; i < 37; i++) {
            broken.add(new Broken(7 + 27L * i, ways[i % ways.length]));
        }
        Map<Long, Breakage> byLine = new TreeMap<>();
        broken.forEach(b -> byLine.put(b.line(), b.how()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long line = 1; line <= LINES; line++) {
            Breakage how = byLine.get(line);
            out.write(how == null ? good(line).toString().getBytes(StandardCharsets.UTF_8) : bad(line, how));
            out.write('\n');
        }
        file = dir.resolve("openai-1000.jsonl");
        Files.write(file, out.toByteArray());
    }

    @Test
    void skipPolicyReportsExactlyTheBrokenLines() throws Exception {
        DataOptions options = DataOptions.defaults().withPolicy(BadLinePolicy.SKIP)
                .withLengths(MAX_LENGTH, 0, TruncationMode.KEEP_END);
        List<ReportEntry> streamed = new ArrayList<>();
        ValidationReport report = new PreferenceDataset(new PairEncoder(Fixtures.tokenizer()), options)
                .validate(file, streamed::add);

        assertEquals(37, report.entries().size(), () -> ReportFormatter.entries(report));
        assertEquals(report.entries(), streamed);
        for (int i = 0; i < broken.size(); i++) {
            ReportEntry entry = report.entries().get(i);
            Broken b = broken.get(i);
            assertEquals(b.line(), entry.line(), entry.describe());
            assertEquals(b.how().code, entry.code(), entry.describe());
            assertEquals(b.how().field, entry.field(), entry.describe());
        }
        assertEquals(12, report.errorCounts().size());
        assertEquals(963, report.pairs());
        assertEquals(1000, report.rowsRead());
        assertEquals(37, report.badRows());
        assertEquals(broken.stream().filter(b -> b.how() == Breakage.HUGE_PROMPT).count(), report.droppedPairs());
        assertEquals("openai", report.format());
        assertTrue(!report.stoppedEarly());
    }

    @Test
    void failPolicyStopsAtTheFirstBrokenLine() throws Exception {
        DataOptions options = DataOptions.defaults().withLengths(MAX_LENGTH, 0, TruncationMode.KEEP_END);
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> new PreferenceDataset(new PairEncoder(Fixtures.tokenizer()), options).load(file));
        assertEquals(broken.get(0).line(), e.entry().line());
        assertEquals(broken.get(0).how().code, e.entry().code());
        assertTrue(e.getMessage().contains("line " + broken.get(0).line()), e.getMessage());
        assertTrue(e.report().stoppedEarly());
        assertEquals(broken.get(0).line(), e.report().rowsRead());
        assertEquals(List.of(e.entry()), e.report().entries());
    }

    static JsonObject good(long line) {
        JsonObject row = new JsonObject();
        JsonObject input = new JsonObject();
        input.add("messages", messages("system", "You are a chatbot assistant.", "user", "What is " + line + " + 1?"));
        row.add("input", input);
        row.add("preferred_output", messages("assistant", String.valueOf(line + 1)));
        row.add("non_preferred_output", messages("assistant", String.valueOf(line + 2)));
        return row;
    }

    static byte[] bad(long line, Breakage how) {
        JsonObject row = good(line);
        JsonObject input = row.getAsJsonObject("input");
        switch (how) {
            case TRUNCATED_JSON -> {
                String text = row.toString();
                return text.substring(0, text.length() / 2).getBytes(StandardCharsets.UTF_8);
            }
            case BAD_UTF8 -> {
                byte[] text = row.toString().getBytes(StandardCharsets.UTF_8);
                text[text.length / 2] = (byte) 0xC3;
                text[text.length / 2 + 1] = (byte) 0x28;
                return text;
            }
            case ARRAY_ROW -> {
                return ("[" + row + "]").getBytes(StandardCharsets.UTF_8);
            }
            case NO_REJECTED -> row.remove("non_preferred_output");
            case OUTPUT_IS_STRING -> row.addProperty("preferred_output", "yes");
            case NARRATOR_ROLE -> first(input.getAsJsonArray("messages")).addProperty("role", "narrator");
            case BLANK_ANSWER -> first(row.getAsJsonArray("preferred_output")).addProperty("content", "  ");
            case SAME_ANSWERS -> row.add("non_preferred_output", row.get("preferred_output").deepCopy());
            case USER_IN_OUTPUT -> first(row.getAsJsonArray("preferred_output")).addProperty("role", "user");
            case TOOL_ONLY_OUTPUT -> first(row.getAsJsonArray("non_preferred_output")).addProperty("role", "tool");
            case HUGE_PROMPT -> first(input.getAsJsonArray("messages")).addProperty("content", "tree ".repeat(400));
            case DEEP_TOOLS -> {
                String text = row.toString();
                String tools = ",\"tools\":" + "[".repeat(500) + "]".repeat(500) + "}";
                return (text.substring(0, text.length() - 1) + tools).getBytes(StandardCharsets.UTF_8);
            }
            default -> throw new IllegalArgumentException(how.name());
        }
        return row.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject first(JsonArray array) {
        return array.get(0).getAsJsonObject();
    }

    private static JsonArray messages(String... roleContent) {
        JsonArray array = new JsonArray();
        for (int i = 0; i < roleContent.length; i += 2) {
            JsonObject m = new JsonObject();
            m.addProperty("role", roleContent[i]);
            m.addProperty("content", roleContent[i + 1]);
            array.add(m);
        }
        return array;
    }
}
