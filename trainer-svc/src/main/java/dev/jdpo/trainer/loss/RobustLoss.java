package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.over;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * Robust DPO (Chowdhury et al., arXiv:2403.00409): the unbiased loss under label-flip rate eps,
 * [-(1-eps) log sigma(beta delta) + eps log sigma(-beta delta)] / (1 - 2 eps).
 */
public record RobustLoss(double beta, double labelSmoothing) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = times(logps.delta(), beta);
        NDArray clean = times(LogSigmoid.of(x), -(1 - labelSmoothing));
        NDArray flipped = times(LogSigmoid.of(x.neg()), -labelSmoothing);
        return LossTerms.pairwise(over(clean.sub(flipped), 1 - 2 * labelSmoothing));
    }
}
