package dev.jdpo.tokenizer.text;

/** A model directory's tokenizer files are missing or unreadable; the message names the file. */
public final class TokenizerLoadException extends Exception {
    public TokenizerLoadException(String message) {
        super(message);
    }

    public TokenizerLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
