package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * What one loss contributes for a micro-batch, before normalisation. Keeping numerators separate lets a
 * step normalise by the pairs (or chosen tokens) of the whole optimizer step, so that accumulated
 * micro-batches add up to exactly the large-batch loss.
 *
 * @param perPair [B] per-pair losses, averaged over the step's pairs; null if none
 * @param chosenNll [B] token-summed negative log-likelihood of each chosen completion, averaged over the step's
 *     chosen tokens (TRL's token-mean cross-entropy); null if none
 */
public record LossTerms(NDArray perPair, NDArray chosenNll) {

    public static LossTerms pairwise(NDArray perPair) {
        return new LossTerms(perPair, null);
    }

    public static LossTerms tokenNll(NDArray chosenNll) {
        return new LossTerms(null, chosenNll);
    }
}
