package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.plus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * APO-down (D'Oosterlinck et al., arXiv:2408.06266, Eq. 8), for chosen outputs worse than the model's own:
 * sigma(beta r_c) + (1 - sigma(beta delta)).
 */
public record ApoDownLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = Activation.sigmoid(times(logps.chosenLogratios(), beta));
        NDArray margin = plus(Activation.sigmoid(times(logps.delta(), beta)).neg(), 1.0);
        return LossTerms.pairwise(chosen.add(margin));
    }
}
