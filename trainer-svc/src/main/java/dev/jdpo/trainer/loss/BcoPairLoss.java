package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * BCO's pairwise loss as in current TRL, without the running reward baseline (Jung et al., arXiv:2404.04656):
 * -log sigma(beta r_c) - log sigma(-beta r_r).
 */
public record BcoPairLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = times(logps.chosenLogratios(), beta);
        NDArray rejected = times(logps.rejectedLogratios(), beta);
        return LossTerms.pairwise(LogSigmoid.of(chosen).neg().sub(LogSigmoid.of(rejected.neg())));
    }
}
