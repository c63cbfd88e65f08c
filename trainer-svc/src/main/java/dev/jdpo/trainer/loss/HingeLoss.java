package dev.jdpo.trainer.loss;

import ai.djl.nn.Activation;

/** SLiC's hinge loss relu(1 - beta delta) (Zhao et al., arXiv:2305.10425; RSO, arXiv:2309.06657). */
public record HingeLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        return LossTerms.pairwise(Activation.relu(logps.delta().mul(-beta).add(1.0)));
    }
}
