package dev.jdpo.evaluation.criteria;

/**
 * One criterion's decision on one answer.
 *
 * @param criterion the criterion's name
 * @param pass whether the answer meets it
 * @param score in [0, 1]; 1 for a pass unless the criterion grades finer
 * @param reason why it failed (empty on a pass unless the checker says more)
 */
public record Verdict(String criterion, boolean pass, double score, String reason) {

    public static Verdict pass(String criterion) {
        return new Verdict(criterion, true, 1, "");
    }

    public static Verdict fail(String criterion, String reason) {
        return new Verdict(criterion, false, 0, reason);
    }
}
