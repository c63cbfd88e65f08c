package dev.jdpo.model.logprob;

/**
 * The log-probability of one sequence's completion.
 *
 * @param logp sum of the completion tokens' log-probs
 * @param tokens number of scored completion tokens
 * @param tokenLogps per-token log-probs, or null unless asked for
 */
public record SequenceScore(double logp, int tokens, float[] tokenLogps) {
}
