package dev.jdpo.orchestrator.run;

/** No run has the given id. */
public final class RunNotFoundException extends Exception {

    public RunNotFoundException(String runId) {
        super("run " + runId + " not found");
    }
}
