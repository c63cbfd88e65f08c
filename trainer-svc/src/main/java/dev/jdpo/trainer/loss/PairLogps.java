package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.atLeast;

import ai.djl.ndarray.NDArray;

/**
 * Sequence log-probs of a micro-batch of pairs; every array is FP32 of shape [B].
 *
 * @param chosen policy log-prob of each chosen completion as the pairwise losses see it (token sum, or the
 *     LD-DPO weighted sum when ld_alpha is set); differentiable
 * @param rejected the same for the rejected completions
 * @param chosenTokenSum plain sum of the chosen completion's token log-probs, for NLL terms; differentiable
 * @param refChosen reference log-prob of each chosen completion (same weighting as {@code chosen}); null when
 *     the run has no reference model
 * @param refRejected the same for the rejected completions
 * @param chosenLengths completion tokens of each chosen sequence
 * @param rejectedLengths completion tokens of each rejected sequence
 */
public record PairLogps(NDArray chosen, NDArray rejected, NDArray chosenTokenSum, NDArray refChosen,
                        NDArray refRejected, NDArray chosenLengths, NDArray rejectedLengths) {

    /** log pi(y_c) - log ref(y_c); TRL's {@code chosen_logratios}. */
    public NDArray chosenLogratios() {
        return chosen.sub(requireReference(refChosen));
    }

    /** log pi(y_r) - log ref(y_r); TRL's {@code rejected_logratios}. */
    public NDArray rejectedLogratios() {
        return rejected.sub(requireReference(refRejected));
    }

    /** delta = chosen log-ratio - rejected log-ratio (TRL's {@code delta_score} with reverse KL). */
    public NDArray delta() {
        return chosenLogratios().sub(rejectedLogratios());
    }

    /** Policy log-prob per completion token of each chosen sequence (SimPO/ORPO's length-averaged log-prob). */
    public NDArray chosenAverage() {
        return chosen.div(atLeast(chosenLengths, 1));
    }

    /** The same for the rejected sequences. */
    public NDArray rejectedAverage() {
        return rejected.div(atLeast(rejectedLengths, 1));
    }

    private static NDArray requireReference(NDArray reference) {
        if (reference == null) {
            throw new IllegalStateException("this loss needs reference log-probs but the batch has none");
        }
        return reference;
    }
}
