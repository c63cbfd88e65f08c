package dev.jdpo.reference.pool;

/** No replica could score a batch within the allowed attempts; the message names the replicas and the last error. */
public final class ReferenceUnavailableException extends RuntimeException {

    public ReferenceUnavailableException(String message) {
        super(message);
    }
}
