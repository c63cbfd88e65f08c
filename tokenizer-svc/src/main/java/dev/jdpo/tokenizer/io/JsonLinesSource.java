package dev.jdpo.tokenizer.io;

import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** JSON Lines: one object per line; blank lines are skipped, a UTF-8 byte-order mark on line 1 is ignored. */
final class JsonLinesSource implements RowSource {

    private final String name;
    private final InputStream stream;
    private final BoundedLineReader lines;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final int maxLineBytes;
    private long lineNumber;

    JsonLinesSource(String name, InputStream stream, int maxLineBytes) {
        this.name = name;
        this.stream = stream;
        this.maxLineBytes = maxLineBytes;
        this.lines = new BoundedLineReader(stream, maxLineBytes);
    }

    @Override
    public RawRow next() throws DataFileException {
        try {
            while (lines.next()) {
                lineNumber++;
                if (lines.tooLong()) {
                    return RawRow.bad(lineNumber, new InvalidRowException(ErrorCode.LINE_TOO_LONG, "",
                            "line is " + lines.lineBytes() + " bytes; the limit is " + maxLineBytes));
                }
                RawRow row = parse(bomOffset());
                if (row != null) {
                    return row;
                }
            }
            return null;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** Counts from the bytes: JSON is parsed only for a line that is blank but for non-ASCII bytes. */
    @Override
    public long countRest() throws DataFileException {
        try {
            long rows = 0;
            while (lines.next()) {
                lineNumber++;
                if (lines.tooLong() || isRow(bomOffset())) {
                    rows++;
                }
            }
            return rows;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * Whether the current line makes a row, as {@link #next} decides it: any line but a blank one, blank meaning
     * whitespace once decoded. An ASCII byte that is not whitespace settles it (a row, good or bad); a non-ASCII
     * byte before one is decoded as {@link #next} decodes it.
     */
    private boolean isRow(int offset) {
        byte[] b = lines.bytes();
        for (int i = offset; i < lines.length(); i++) {
            if (b[i] < 0) {
                return parse(offset) != null;
            }
            if (!Character.isWhitespace(b[i])) {
                return true;
            }
        }
        return false;
    }

    private int bomOffset() {
        return lineNumber == 1 && hasBom() ? 3 : 0;
    }

    private DataFileException unreadable(IOException e) {
        return new DataFileException(name + ": cannot read line " + (lineNumber + 1) + ": " + e.getMessage(), e);
    }

    /** The row of the current line, or null for a blank line. */
    private RawRow parse(int offset) {
        String text;
        try {
            text = decode(offset);
        } catch (InvalidRowException e) {
            return RawRow.bad(lineNumber, e);
        }
        return text.isBlank() ? null : RowSources.row(lineNumber, text);
    }

    private boolean hasBom() {
        byte[] b = lines.bytes();
        return lines.length() >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF;
    }

    private String decode(int offset) throws InvalidRowException {
        ByteBuffer in = ByteBuffer.wrap(lines.bytes(), offset, lines.length() - offset);
        CharBuffer out = CharBuffer.allocate(in.remaining());
        decoder.reset();
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidRowException(ErrorCode.INVALID_UTF8, "",
                    "invalid UTF-8 at byte " + (in.position() + 1) + " of the line");
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }

    @Override
    public void close() throws DataFileException {
        DataFileException.close(name, stream);
    }
}
