package dev.jdpo.model.logprob;

import java.util.Arrays;
import java.util.List;

/**
 * Reference log-probs of one pair: sums over completion tokens (TRL convention) and, when asked for, the log-prob
 * of every completion token. What the reference computes and caches, and what the trainer trains against.
 *
 * @param chosenTokenLogps per-token log-probs of the chosen completion, or null when not computed (LD-DPO needs them)
 * @param rejectedTokenLogps per-token log-probs of the rejected completion, or null when not computed
 */
public record PairLogProbs(double chosenLogp, double rejectedLogp, int chosenTokens, int rejectedTokens,
                           float[] chosenTokenLogps, float[] rejectedTokenLogps) {

    public PairLogProbs {
        if ((chosenTokenLogps == null) != (rejectedTokenLogps == null)) {
            throw new IllegalArgumentException("per-token log-probs must be given for both completions or neither");
        }
        if (chosenTokenLogps != null
                && (chosenTokenLogps.length != chosenTokens || rejectedTokenLogps.length != rejectedTokens)) {
            throw new IllegalArgumentException("per-token log-probs have " + chosenTokenLogps.length + "/"
                    + rejectedTokenLogps.length + " entries for " + chosenTokens + "/" + rejectedTokens + " tokens");
        }
    }

    /** From a wire message's fields; a null list means no per-token log-probs. */
    public static PairLogProbs of(double chosenLogp, double rejectedLogp, int chosenTokens, int rejectedTokens,
                                  List<Float> chosenTokenLogps, List<Float> rejectedTokenLogps) {
        return new PairLogProbs(chosenLogp, rejectedLogp, chosenTokens, rejectedTokens, floats(chosenTokenLogps),
                floats(rejectedTokenLogps));
    }

    /** True when per-token log-probs are present. */
    public boolean hasTokenLogps() {
        return chosenTokenLogps != null;
    }

    /** The same sums without per-token log-probs. */
    public PairLogProbs withoutTokenLogps() {
        return hasTokenLogps() ? new PairLogProbs(chosenLogp, rejectedLogp, chosenTokens, rejectedTokens, null, null) : this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PairLogProbs p
                && Double.compare(chosenLogp, p.chosenLogp) == 0 && Double.compare(rejectedLogp, p.rejectedLogp) == 0
                && chosenTokens == p.chosenTokens && rejectedTokens == p.rejectedTokens
                && Arrays.equals(chosenTokenLogps, p.chosenTokenLogps)
                && Arrays.equals(rejectedTokenLogps, p.rejectedTokenLogps);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Double.hashCode(chosenLogp) + Double.hashCode(rejectedLogp)) + chosenTokens * 7 + rejectedTokens;
    }

    @Override
    public String toString() {
        return "PairLogProbs[chosen=" + chosenLogp + " (" + chosenTokens + " tokens), rejected=" + rejectedLogp
                + " (" + rejectedTokens + " tokens)" + (hasTokenLogps() ? ", per-token" : "") + "]";
    }

    private static float[] floats(List<Float> values) {
        if (values == null) {
            return null;
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
