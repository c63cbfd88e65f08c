package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.minus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * SimPO (Meng et al., arXiv:2405.14734), reference-free: -log sigma(beta (avg_c - avg_r) - gamma) with
 * length-averaged log-probs; label smoothing eps mixes in -eps log sigma(-(...)) as TRL's CPO trainer does.
 */
public record SimPoLoss(double beta, double gamma, double labelSmoothing) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = minus(times(logps.chosenAverage().sub(logps.rejectedAverage()), beta), gamma);
        NDArray loss = times(LogSigmoid.of(x), -(1 - labelSmoothing));
        if (labelSmoothing > 0) {
            loss = loss.sub(times(LogSigmoid.of(x.neg()), labelSmoothing));
        }
        return LossTerms.pairwise(loss);
    }
}
