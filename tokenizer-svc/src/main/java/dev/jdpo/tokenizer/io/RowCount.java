package dev.jdpo.tokenizer.io;

import java.nio.file.Path;

/**
 * A data file's rows (blank lines aside), counted without tokenizing them: what a run that trains while the file is
 * still being tokenized needs up front, its pair count. A row that later proves invalid fails the run then.
 */
public final class RowCount {

    private RowCount() {
    }

    public static int of(Path file) throws DataFileException {
        try (RowSource rows = RowSources.open(file, RowSources.DEFAULT_MAX_LINE_BYTES)) {
            int count = 0;
            while (rows.next() != null) {
                count++;
            }
            return count;
        }
    }
}
