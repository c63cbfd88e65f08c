package dev.jdpo.tokenizer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.io.DataFileException;
import dev.jdpo.tokenizer.template.ChatTemplate;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input gets a report entry or a clear error, never a crash or an OutOfMemoryError. */
class AdversarialInputTest {

    static final String GOOD = "{\"prompt\": \"What is 3 + 4? Answer:\", \"chosen\": \" 7.\", \"rejected\": \" 9.\"}";

    @TempDir
    Path dir;

    @Test
    void fiftyMegabyteLineIsSkippedWithAnEntryAndTheNextLineStillCounts() throws Exception {
        Path file = dir.resolve("huge.jsonl");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write((GOOD + "\n").getBytes(StandardCharsets.UTF_8));
            out.write("{\"prompt\": \"".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "a".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
            out.write("\", \"chosen\": \"x\", \"rejected\": \"y\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write(GOOD.replace("9.", "8.").getBytes(StandardCharsets.UTF_8));
        }
        ValidationReport report = validate(file, Fixtures.tokenizer());
        assertEquals(1, report.entries().size());
        ReportEntry entry = report.entries().get(0);
        assertEquals(2, entry.line());
        assertEquals(ErrorCode.LINE_TOO_LONG, entry.code());
        assertTrue(entry.message().contains("limit"), entry.message());
        assertEquals(2, report.pairs());
    }

    @Test
    void invalidUtf8GetsAnEntryNamingTheByte() throws Exception {
        Path file = dir.resolve("latin1.jsonl");
        byte[] latin1 = "{\"prompt\": \"caf\u00e9\", \"chosen\": \" a\", \"rejected\": \" b\"}"
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        ReportEntry entry = validate(file, Fixtures.tokenizer()).entries().get(0);
        assertEquals(ErrorCode.INVALID_UTF8, entry.code());
        assertTrue(entry.message().contains("byte 16"), entry.message());
    }

    @Test
    void deeplyNestedJsonDoesNotOverflowTheStack() throws Exception {
        Path file = dir.resolve("deep.jsonl");
        String deep = "{\"prompt\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        Files.writeString(file, deep + "\n" + GOOD + "\n");
        ValidationReport report = validate(file, Fixtures.tokenizer());
        assertEquals(ErrorCode.NESTING_TOO_DEEP, report.entries().get(0).code());
        assertEquals(1, report.pairs());
    }

    @Test
    void deeplyNestedJsonArrayFileIsAClearFileError() throws Exception {
        Path file = dir.resolve("deep.json");
        Files.writeString(file, "[" + "{\"a\": [".repeat(100_000));
        DataFileException e = assertThrows(DataFileException.class, () -> validate(file, Fixtures.tokenizer()));
        assertTrue(e.getMessage().contains("element 1") && e.getMessage().contains("nests deeper"), e.getMessage());
    }

    @Test
    void templateThatRaisesGetsAnEntryWithItsMessage() throws Exception {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(Fixtures.MODEL.resolve(name), model.resolve(name));
        }
        Files.writeString(model.resolve("chat_template.jinja"),
                "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
                        + "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}");
        Path file = dir.resolve("chat.jsonl");
        Files.writeString(file,
                "{\"prompt\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}],"
                        + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"Hello\"}],"
                        + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"Go away\"}]}\n"
                        + "{\"prompt\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                        + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"Hello\"}],"
                        + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"Go away\"}]}\n");
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            ValidationReport report = validate(file, tokenizer);
            assertEquals(1, report.entries().size());
            ReportEntry entry = report.entries().get(0);
            assertEquals(ErrorCode.TEMPLATE_ERROR, entry.code());
            assertEquals("prompt", entry.field());
            assertTrue(entry.message().contains("System role not supported"), entry.message());
            assertEquals(1, report.pairs());
        }
    }

    @Test
    void templateSyntaxInsideMessagesIsRenderedAsText() throws Exception {
        TextTokenizer tokenizer = Fixtures.tokenizer();
        ChatTemplate template = new ChatTemplate(tokenizer.chatTemplate().orElseThrow(), tokenizer.specialTokens());
        String content = "{{ 7*6 }} {% if true %}X{% endif %} {{ raise_exception('boom') }}";
        String rendered = template.render(List.of(ChatMessage.of("user", content)), List.of(), false);
        assertEquals("<|im_start|>user\n" + content + "<|im_end|>\n", rendered);
    }

    @Test
    void corruptParquetIsAClearFileError() throws Exception {
        Path file = dir.resolve("broken.parquet");
        Files.write(file, "PAR1 this is not really parquet".getBytes(StandardCharsets.US_ASCII));
        DataFileException e = assertThrows(DataFileException.class, () -> validate(file, Fixtures.tokenizer()));
        assertTrue(e.getMessage().contains("broken.parquet") && e.getMessage().contains("Parquet"), e.getMessage());
    }

    @Test
    void missingFileIsAClearFileError() {
        DataFileException e = assertThrows(DataFileException.class,
                () -> validate(dir.resolve("nope.jsonl"), Fixtures.tokenizer()));
        assertTrue(e.getMessage().contains("nope.jsonl"), e.getMessage());
    }

    private static ValidationReport validate(Path file, TextTokenizer tokenizer) throws DataFileException {
        DataOptions options = DataOptions.defaults().withPolicy(BadLinePolicy.SKIP);
        return new PreferenceDataset(new PairEncoder(tokenizer), options).validate(file, e -> { });
    }
}
