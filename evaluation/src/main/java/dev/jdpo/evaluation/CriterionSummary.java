package dev.jdpo.evaluation;

/**
 * How the answers fared on one criterion.
 *
 * @param criterion its name
 * @param passed answers that passed
 * @param total answers judged
 * @param meanScore mean of the verdicts' scores
 */
public record CriterionSummary(String criterion, int passed, int total, double meanScore) {

    public double passRate() {
        return total == 0 ? 0 : (double) passed / total;
    }
}
