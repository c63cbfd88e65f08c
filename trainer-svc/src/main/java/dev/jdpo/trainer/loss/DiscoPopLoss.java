package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.over;
import static dev.jdpo.model.tensor.ScalarOps.plus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * DiscoPOP's log-ratio modulated loss (Chan Lu et al., arXiv:2406.08414, Eq. 5): with x = beta delta and
 * m = sigma(x / tau), (1 - m)(-log sigma(x)) + m exp(-x).
 */
public record DiscoPopLoss(double beta, double tau) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = times(logps.delta(), beta);
        NDArray modulation = Activation.sigmoid(over(x, tau));
        NDArray logistic = LogSigmoid.of(x).neg().mul(plus(modulation.neg(), 1.0));
        NDArray exponential = x.neg().exp().mul(modulation);
        return LossTerms.pairwise(logistic.add(exponential));
    }
}
