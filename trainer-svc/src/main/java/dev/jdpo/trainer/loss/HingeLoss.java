package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.plus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.nn.Activation;

/** SLiC's hinge loss relu(1 - beta delta) (Zhao et al., arXiv:2305.10425; RSO, arXiv:2309.06657). */
public record HingeLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        return LossTerms.pairwise(Activation.relu(plus(times(logps.delta(), -beta), 1.0)));
    }
}
