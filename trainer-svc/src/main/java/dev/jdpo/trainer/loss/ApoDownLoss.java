package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * APO-down (D'Oosterlinck et al., arXiv:2408.06266, Eq. 8), for chosen outputs worse than the model's own:
 * sigma(beta r_c) + (1 - sigma(beta delta)).
 */
public record ApoDownLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = Activation.sigmoid(logps.chosenLogratios().mul(beta));
        NDArray margin = Activation.sigmoid(logps.delta().mul(beta)).neg().add(1.0);
        return LossTerms.pairwise(chosen.add(margin));
    }
}
