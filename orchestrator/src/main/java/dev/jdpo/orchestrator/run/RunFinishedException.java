package dev.jdpo.orchestrator.run;

/** An operation needs an unfinished run, but the run already succeeded or failed. */
public final class RunFinishedException extends Exception {

    public RunFinishedException(String message) {
        super(message);
    }
}
