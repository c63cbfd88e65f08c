package dev.jdpo.tokenizer.io;

import com.google.gson.JsonElement;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Opens a data file as rows, recognizing the container from its bytes rather than its name: Parquet by its
 * {@code PAR1} magic, gzip by {@code 1f 8b}, then a JSON array by a leading '[' and JSON Lines otherwise.
 */
public final class RowSources {

    /** Default limit of one JSONL line: far above any real row, far below the heap. */
    public static final int DEFAULT_MAX_LINE_BYTES = 32 << 20;

    private RowSources() {
    }

    public static RowSource open(Path file, int maxLineBytes) throws DataFileException {
        if (!Files.isRegularFile(file)) {
            throw new DataFileException(file + ": no such data file");
        }
        try {
            if (startsWith(file, new byte[] {'P', 'A', 'R', '1'})) {
                return new ParquetSource(file);
            }
            InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            if (startsWith(file, new byte[] {0x1f, (byte) 0x8b})) {
                in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            }
            return text(file.toString(), in, maxLineBytes);
        } catch (NoSuchFileException e) {
            throw new DataFileException(file + ": no such data file", e);
        } catch (IOException e) {
            throw new DataFileException(file + ": cannot open: " + e.getMessage(), e);
        }
    }

    /** Rows of JSON text (JSONL or a JSON array) read from a stream. */
    public static RowSource text(String name, InputStream in, int maxLineBytes) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
        return firstNonBlank(buffered) == '[' ? new JsonArraySource(name, buffered)
                : new JsonLinesSource(name, buffered, maxLineBytes);
    }

    /** One row given as JSON text (a JSONL line without its newline), checked like a line of a file. */
    public static RawRow row(long line, String json) {
        try {
            JsonElement value = SafeJson.parse(json);
            if (!value.isJsonObject()) {
                return RawRow.bad(line, new InvalidRowException(ErrorCode.NOT_AN_OBJECT, "",
                        "row is a JSON " + (value.isJsonArray() ? "array" : "value") + ", not an object"));
            }
            return RawRow.ok(line, value.getAsJsonObject());
        } catch (InvalidRowException e) {
            return RawRow.bad(line, e);
        }
    }

    private static boolean startsWith(Path file, byte[] magic) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(magic.length);
            return Arrays.equals(head, magic);
        }
    }

    /** Peeks at the first byte that is not whitespace or a byte-order mark (bounded look-ahead). */
    private static int firstNonBlank(InputStream in) throws IOException {
        int lookAhead = 1 << 15;
        in.mark(lookAhead);
        try {
            for (int i = 0; i < lookAhead; i++) {
                int b = in.read();
                if (b < 0 || !(Character.isWhitespace(b) || b == 0xEF || b == 0xBB || b == 0xBF)) {
                    return b;
                }
            }
            return -1;
        } finally {
            in.reset();
        }
    }
}
