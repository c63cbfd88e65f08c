package dev.jdpo.orchestrator.feedback;

/** Feedback names a completion id that was never logged. */
public final class CompletionNotFoundException extends Exception {

    public CompletionNotFoundException(String field, String completionId) {
        super(field + ": completion " + completionId + " not found");
    }
}
