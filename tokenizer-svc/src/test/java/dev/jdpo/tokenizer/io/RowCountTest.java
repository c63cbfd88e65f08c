package dev.jdpo.tokenizer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A JSONL file's rows are counted from its bytes, and the count is always the number of rows reading the file gives
 * ({@link RowSource#next}, which parses each line): blank lines aside, bad lines included.
 */
class RowCountTest {

    private static final String ROW = "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}";

    @TempDir
    Path tmp;

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("empty file", "", 0),
                Arguments.of("last line without a newline", "R\nR", 2),
                Arguments.of("a newline at the end adds no row", "R\nR\n", 2),
                Arguments.of("blank lines: empty, spaces, tabs, a lone CR", "\nR\n\n  \n\t\t\nR\n\r\n \r\n", 2),
                Arguments.of("CRLF endings", "R\r\nR\r\n", 2),
                Arguments.of("only blank lines", "\n\n   \n", 0),
                Arguments.of("a blank last line without a newline", "R\n   ", 1),
                Arguments.of("malformed JSON is a row", "R\n{not json\nx\n[1]\n", 4),
                Arguments.of("ASCII control whitespace (VT, FF, FS..US) is blank", "\u000B\u000C\u001C\u001F\nR", 1),
                Arguments.of("an ideographic space and a line separator are blank", "\u3000\u2028\nR\n", 1),
                Arguments.of("a no-break space is no whitespace: a row", "\u00A0\nR\n", 2),
                Arguments.of("non-ASCII text is a row", "R\n\u00E9t\u00E9\n", 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void countsTheRowsReadingGives(String name, String text, int rows) throws Exception {
        Path file = write(text.replace("R", ROW).getBytes(StandardCharsets.UTF_8));
        assertEquals(rows, RowCount.of(file), name);
        assertEquals(rows, rowsRead(file, RowSources.DEFAULT_MAX_LINE_BYTES), name + ": as reading counts them");
    }

    @Test
    void aByteOrderMarkOnTheFirstLineIsNoRow() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        assertEquals(0, RowCount.of(write(concat(bom, "  \n\n".getBytes(StandardCharsets.UTF_8)))));
        assertEquals(1, RowCount.of(write(concat(bom, (ROW + "\n").getBytes(StandardCharsets.UTF_8)))));
        // on a later line it is a character (U+FEFF, not whitespace), so that line is a (bad) row
        Path later = write(concat(concat((ROW + "\n").getBytes(StandardCharsets.UTF_8), bom), new byte[] {'\n'}));
        assertEquals(2, RowCount.of(later));
        assertEquals(2, rowsRead(later, RowSources.DEFAULT_MAX_LINE_BYTES));
    }

    @Test
    void invalidUtf8OnAnOtherwiseBlankLineIsABadRow() throws Exception {
        Path file = write(new byte[] {' ', (byte) 0xC3, ' ', '\n', (byte) 0xFF, '\n', '\n'});
        assertEquals(2, RowCount.of(file));
        assertEquals(2, rowsRead(file, RowSources.DEFAULT_MAX_LINE_BYTES));
    }

    @Test
    void aLineOverTheLimitIsARowEvenWhenBlank() throws Exception {
        Path file = write(("R\n" + " ".repeat(100) + "\n" + " ".repeat(15) + "\r\nR").replace("R", "{}")
                .getBytes(StandardCharsets.UTF_8));
        try (RowSource rows = RowSources.open(file, 16)) {
            assertEquals(3, rows.countRest(), "100 spaces are too long; 15 spaces and a CR are not");
        }
        assertEquals(3, rowsRead(file, 16));
    }

    /** Random lines of the kinds above, mixed: the byte count and the parsing read always agree. */
    @Test
    void agreesWithReadingOnRandomFiles() throws Exception {
        String[] pieces = {ROW, "", " ", "\t", "\r", "\u3000", "\u00A0", "\u00E9", "{", "x", "\u2029", "\u000B"};
        Random random = new Random(11);
        for (int file = 0; file < 200; file++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int lines = random.nextInt(12);
            for (int line = 0; line < lines; line++) {
                for (int piece = random.nextInt(4); piece > 0; piece--) {
                    bytes.writeBytes(pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8));
                }
                if (random.nextInt(10) == 0) {
                    bytes.write(0x80 | random.nextInt(0x40));
                }
                if (line < lines - 1 || random.nextBoolean()) {
                    bytes.write('\n');
                }
            }
            Path path = write(bytes.toByteArray());
            assertEquals(rowsRead(path, RowSources.DEFAULT_MAX_LINE_BYTES), RowCount.of(path),
                    "file " + file + ": " + new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"openai.jsonl.gz", "trl-standard.json", "ultrafeedback.parquet", "quickstart.jsonl"})
    void otherContainersCountAsTheyRead(String sample) throws Exception {
        Path file = Fixtures.DATA.resolve(sample);
        int rows = RowCount.of(file);
        assertEquals(rowsRead(file, RowSources.DEFAULT_MAX_LINE_BYTES), rows);
        assertTrue(rows > 0, sample + " has rows");
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(tmp, "rows", ".jsonl");
        Files.write(file, bytes);
        return file;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int rowsRead(Path file, int maxLineBytes) throws DataFileException {
        try (RowSource rows = RowSources.open(file, maxLineBytes)) {
            int count = 0;
            while (rows.next() != null) {
                count++;
            }
            return count;
        }
    }
}
