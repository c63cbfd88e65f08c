package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.atLeast;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * Length-normalised DPO with a reference model, as in Tulu 3 (arXiv:2411.15124) after SimPO's normalisation
 * (arXiv:2405.14734): -log sigma(beta (r_c/|y_c| - r_r/|y_r|)).
 */
public record SigmoidNormLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = logps.chosenLogratios().div(atLeast(logps.chosenLengths(), 1));
        NDArray rejected = logps.rejectedLogratios().div(atLeast(logps.rejectedLengths(), 1));
        return LossTerms.pairwise(LogSigmoid.of(times(chosen.sub(rejected), beta)).neg());
    }
}
