package dev.jdpo.tokenizer.io;

/** Rows of one input file, read one at a time so a pass over any file size needs bounded memory. */
public interface RowSource extends AutoCloseable {

    /** The next row, or null at the end of the file. */
    RawRow next() throws DataFileException;

    @Override
    void close() throws DataFileException;
}
