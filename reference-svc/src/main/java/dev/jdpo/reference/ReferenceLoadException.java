package dev.jdpo.reference;

/**
 * A lazily opened reference checkpoint failed to load at its first cache miss; the message names the directory and
 * what is wrong with it. Unchecked because it surfaces through {@link PairScorer#score}.
 */
public final class ReferenceLoadException extends RuntimeException {
    ReferenceLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    /** As a client sees it: a replica answered that its checkpoint failed to load. */
    public ReferenceLoadException(String message) {
        super(message);
    }
}
