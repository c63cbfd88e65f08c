package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.plus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * APO-zero (D'Oosterlinck et al., arXiv:2408.06266, Eq. 7), for chosen outputs better than the model's own:
 * (1 - sigma(beta r_c)) + sigma(beta r_r).
 */
public record ApoZeroLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = plus(Activation.sigmoid(times(logps.chosenLogratios(), beta)).neg(), 1.0);
        NDArray rejected = Activation.sigmoid(times(logps.rejectedLogratios(), beta));
        return LossTerms.pairwise(chosen.add(rejected));
    }
}
