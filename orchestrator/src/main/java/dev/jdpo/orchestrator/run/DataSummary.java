package dev.jdpo.orchestrator.run;

/** Pair counts of a run's data after validation and the validation split. */
public record DataSummary(long trainingPairs, long validationPairs) {

    public DataSummary {
        if (trainingPairs < 1) {
            throw new IllegalArgumentException("a run needs at least one training pair, got " + trainingPairs);
        }
        if (validationPairs < 0) {
            throw new IllegalArgumentException("validationPairs must be >= 0, got " + validationPairs);
        }
    }
}
