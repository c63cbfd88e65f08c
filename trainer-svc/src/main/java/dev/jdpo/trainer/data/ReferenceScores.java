package dev.jdpo.trainer.data;

/**
 * Frozen reference-model log-probs of one pair.
 *
 * @param chosenLogp sum over the chosen completion's scored tokens
 * @param rejectedLogp the same for the rejected completion
 * @param chosenTokenLogps per-token log-probs of the chosen completion, or null when only sums are known
 *     (LD-DPO needs them)
 * @param rejectedTokenLogps the same for the rejected completion
 */
public record ReferenceScores(double chosenLogp, double rejectedLogp, float[] chosenTokenLogps,
                              float[] rejectedTokenLogps) {

    /** Sums only. */
    public static ReferenceScores ofSums(double chosenLogp, double rejectedLogp) {
        return new ReferenceScores(chosenLogp, rejectedLogp, null, null);
    }

    public boolean hasTokenLogps() {
        return chosenTokenLogps != null && rejectedTokenLogps != null;
    }
}
