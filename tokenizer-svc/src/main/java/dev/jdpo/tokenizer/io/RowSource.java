package dev.jdpo.tokenizer.io;

/** Rows of one input file, read one at a time so a pass over any file size needs bounded memory. */
public interface RowSource extends AutoCloseable {

    /** The next row, or null at the end of the file. */
    RawRow next() throws DataFileException;

    /**
     * Reads to the end of the file and returns how many rows {@link #next} would have given (bad rows included),
     * without building them: what a count of the rows needs.
     */
    default long countRest() throws DataFileException {
        long rows = 0;
        while (next() != null) {
            rows++;
        }
        return rows;
    }

    @Override
    void close() throws DataFileException;
}
