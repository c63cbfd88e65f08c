package dev.jdpo.evaluation.prompts;

/** A prompt file or row cannot be used; the message names the file and line, or the model directory. */
public final class InvalidPromptException extends Exception {

    public InvalidPromptException(String message) {
        super(message);
    }

    public InvalidPromptException(String message, Throwable cause) {
        super(message, cause);
    }
}
