package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * Length-normalised DPO with a reference model, as in Tulu 3 (arXiv:2411.15124) after SimPO's normalisation
 * (arXiv:2405.14734): -log sigma(beta (r_c/|y_c| - r_r/|y_r|)).
 */
public record SigmoidNormLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = logps.chosenLogratios().div(logps.chosenLengths().maximum(1f));
        NDArray rejected = logps.rejectedLogratios().div(logps.rejectedLengths().maximum(1f));
        return LossTerms.pairwise(LogSigmoid.of(chosen.sub(rejected).mul(beta)).neg());
    }
}
