package dev.jdpo.orchestrator.state;

/** The run-state database cannot be opened, migrated or reached; the message says which and why. */
public final class StateUnavailableException extends RuntimeException {

    public StateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
