package dev.jdpo.orchestrator.config;

/** One problem with a run config: the dotted field path at fault and what is wrong with it. */
public record ConfigViolation(String field, String description) {

    /** {@code "training.beta: must be > 0, got -1"}. */
    @Override
    public String toString() {
        return field + ": " + description;
    }
}
