package dev.jdpo.tokenizer.io;

import java.io.Closeable;
import java.io.IOException;

/** A data file cannot be read at all (missing, unreadable, corrupt container); the message names the file. */
public final class DataFileException extends Exception {
    public DataFileException(String message) {
        super(message);
    }

    public DataFileException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Closes the reader of data file {@code name}; a failure becomes this exception, naming the file. */
    static void close(String name, Closeable reader) throws DataFileException {
        try {
            reader.close();
        } catch (IOException e) {
            throw new DataFileException(name + ": cannot close: " + e.getMessage(), e);
        }
    }
}
