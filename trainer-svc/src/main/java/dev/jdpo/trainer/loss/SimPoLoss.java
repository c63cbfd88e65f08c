package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * SimPO (Meng et al., arXiv:2405.14734), reference-free: -log sigma(beta (avg_c - avg_r) - gamma) with
 * length-averaged log-probs; label smoothing eps mixes in -eps log sigma(-(...)) as TRL's CPO trainer does.
 */
public record SimPoLoss(double beta, double gamma, double labelSmoothing) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = logps.chosenAverage().sub(logps.rejectedAverage()).mul(beta).sub(gamma);
        NDArray loss = LogSigmoid.of(x).mul(-(1 - labelSmoothing));
        if (labelSmoothing > 0) {
            loss = loss.sub(LogSigmoid.of(x.neg()).mul(labelSmoothing));
        }
        return LossTerms.pairwise(loss);
    }
}
