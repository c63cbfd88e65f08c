package dev.jdpo.orchestrator.continual;

/** No continual job has the id asked for. */
public final class JobNotFoundException extends Exception {

    public JobNotFoundException(String id) {
        super("no continual job " + id);
    }
}
