package dev.jdpo.tokenizer.io;

/** A data file cannot be read at all (missing, unreadable, corrupt container); the message names the file. */
public final class DataFileException extends Exception {
    public DataFileException(String message) {
        super(message);
    }

    public DataFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
