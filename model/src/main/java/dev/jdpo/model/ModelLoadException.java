package dev.jdpo.model;

/** A model directory cannot be loaded; the message names the file and the tensor or field at fault. */
public final class ModelLoadException extends Exception {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
