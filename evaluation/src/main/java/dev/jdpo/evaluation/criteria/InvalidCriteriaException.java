package dev.jdpo.evaluation.criteria;

/** A criteria file or criterion cannot be used; the message names the file or the field path. */
public final class InvalidCriteriaException extends Exception {

    public InvalidCriteriaException(String message) {
        super(message);
    }

    public InvalidCriteriaException(String message, Throwable cause) {
        super(message, cause);
    }
}
