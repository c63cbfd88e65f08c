package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * APO-zero (D'Oosterlinck et al., arXiv:2408.06266, Eq. 7), for chosen outputs better than the model's own:
 * (1 - sigma(beta r_c)) + sigma(beta r_r).
 */
public record ApoZeroLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = Activation.sigmoid(logps.chosenLogratios().mul(beta)).neg().add(1.0);
        NDArray rejected = Activation.sigmoid(logps.rejectedLogratios().mul(beta));
        return LossTerms.pairwise(chosen.add(rejected));
    }
}
