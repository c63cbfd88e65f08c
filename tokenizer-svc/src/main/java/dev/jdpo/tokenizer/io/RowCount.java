package dev.jdpo.tokenizer.io;

import java.nio.file.Path;

/**
 * A data file's rows (blank lines aside), counted without tokenizing them: what a run that trains while the file is
 * still being tokenized needs up front, its pair count. A JSONL file is counted from its bytes, never parsed as JSON
 * ({@link RowSource#countRest}), so the count costs a read of the file; a row that later proves invalid fails the
 * run then, with its line number.
 */
public final class RowCount {

    private RowCount() {
    }

    public static int of(Path file) throws DataFileException {
        try (RowSource rows = RowSources.open(file, RowSources.DEFAULT_MAX_LINE_BYTES)) {
            long count = rows.countRest();
            if (count > Integer.MAX_VALUE) {
                throw new DataFileException(file + ": " + count + " rows; at most " + Integer.MAX_VALUE
                        + " fit one run");
            }
            return (int) count;
        }
    }
}
