package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * DiscoPOP's log-ratio modulated loss (Chan Lu et al., arXiv:2406.08414, Eq. 5): with x = beta delta and
 * m = sigma(x / tau), (1 - m)(-log sigma(x)) + m exp(-x).
 */
public record DiscoPopLoss(double beta, double tau) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = logps.delta().mul(beta);
        NDArray modulation = Activation.sigmoid(x.div(tau));
        NDArray logistic = LogSigmoid.of(x).neg().mul(modulation.neg().add(1.0));
        NDArray exponential = x.neg().exp().mul(modulation);
        return LossTerms.pairwise(logistic.add(exponential));
    }
}
