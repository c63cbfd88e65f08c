package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * Robust DPO (Chowdhury et al., arXiv:2403.00409): the unbiased loss under label-flip rate eps,
 * [-(1-eps) log sigma(beta delta) + eps log sigma(-beta delta)] / (1 - 2 eps).
 */
public record RobustLoss(double beta, double labelSmoothing) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = logps.delta().mul(beta);
        NDArray clean = LogSigmoid.of(x).mul(-(1 - labelSmoothing));
        NDArray flipped = LogSigmoid.of(x.neg()).mul(-labelSmoothing);
        return LossTerms.pairwise(clean.sub(flipped).div(1 - 2 * labelSmoothing));
    }
}
