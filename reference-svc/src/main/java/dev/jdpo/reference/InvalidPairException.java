package dev.jdpo.reference;

/** A pair that cannot be scored; the message names the pair index and the offending field. */
public final class InvalidPairException extends IllegalArgumentException {

    public InvalidPairException(String message) {
        super(message);
    }
}
