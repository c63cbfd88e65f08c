package dev.jdpo.model.logprob;

import ai.djl.ndarray.NDArray;

/**
 * Log-probabilities of a batch's completions under TRL's convention (the logit at t scores token t+1; prompt and
 * padding positions count 0). Arrays are {@code [B]} or {@code [B, T-1]}, FP32, attached to the batch's manager.
 *
 * @param sequenceLogps {@code [B]} sum over completion tokens; differentiable when computed under a collector
 * @param tokenLogps {@code [B, T-1]} per-token log-probs, 0 outside completion positions; differentiable
 * @param completionMask {@code [B, T-1]} 1 at completion positions
 * @param completionLengths {@code [B]} number of scored completion tokens (FP32)
 * @param meanLogitSums {@code [B]} detached: sum over completion tokens of the vocabulary-mean logit
 * @param correctTokens {@code [B]} detached: completion tokens whose logit argmax is the token itself (for TRL's
 *     {@code mean_token_accuracy}), FP32
 * @param wpoTokenTerms {@code [B, T-1]} detached {@code log sum_v p_v^2 = lse(2z) - 2 lse(z)} per position
 *     (0 outside completions), or null unless asked for
 */
public record CompletionLogProbs(NDArray sequenceLogps, NDArray tokenLogps, NDArray completionMask,
                                 NDArray completionLengths, NDArray meanLogitSums, NDArray correctTokens,
                                 NDArray wpoTokenTerms) {
}
