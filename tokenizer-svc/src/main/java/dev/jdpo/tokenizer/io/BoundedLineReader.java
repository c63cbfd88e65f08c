package dev.jdpo.tokenizer.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without ever holding more than {@code maxLineBytes} of one line: the rest of an
 * over-long line is skipped, so a hostile multi-gigabyte line costs no memory.
 */
final class BoundedLineReader {

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[1 << 12];
    private int length;
    private long skippedBytes;
    private boolean eof;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Reads the next line (without its '\n' or '\r\n'); false at end of input. */
    boolean next() throws IOException {
        length = 0;
        skippedBytes = 0;
        boolean sawAny = false;
        while (true) {
            if (position == limit) {
                if (eof || !fill()) {
                    return sawAny;
                }
            }
            sawAny = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            append(start, position - start);
            if (position < limit) {
                position++;
                if (length > 0 && line[length - 1] == '\r' && skippedBytes == 0) {
                    length--;
                }
                return true;
            }
        }
    }

    /** True when the last line exceeded the limit; then only its first bytes were kept. */
    boolean tooLong() {
        return skippedBytes > 0;
    }

    /** Total size of the last line in bytes, including any skipped part. */
    long lineBytes() {
        return length + skippedBytes;
    }

    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    private void append(int start, int count) {
        int room = maxLineBytes - length;
        int kept = Math.min(room, count);
        if (kept > 0) {
            if (length + kept > line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(length + kept, line.length * 2)));
            }
            System.arraycopy(buffer, start, line, length, kept);
            length += kept;
        }
        skippedBytes += count - kept;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
