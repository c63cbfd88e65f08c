package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.minus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * EXO's pairwise loss (Ji et al., arXiv:2402.00856, Eq. 16): the reverse KL from the policy's preference
 * distribution to [1-eps, eps]: sigma(x)(log sigma(x) - log(1-eps)) + sigma(-x)(log sigma(-x) - log eps),
 * x = beta delta, eps = label_smoothing > 0.
 */
public record ExoPairLoss(double beta, double labelSmoothing) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = times(logps.delta(), beta);
        NDArray win = Activation.sigmoid(x).mul(minus(LogSigmoid.of(x), Math.log1p(-labelSmoothing)));
        NDArray lose = Activation.sigmoid(x.neg()).mul(minus(LogSigmoid.of(x.neg()), Math.log(labelSmoothing)));
        return LossTerms.pairwise(win.add(lose));
    }
}
