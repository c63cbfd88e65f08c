package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * DPO's loss -log sigma(beta delta) (Rafailov et al., arXiv:2305.18290); with label smoothing eps it is
 * conservative DPO, -(1-eps) log sigma(beta delta) - eps log sigma(-beta delta) (Mitchell, "A note on DPO with
 * noisy preferences", 2023), as in TRL before v0.29, OpenRLHF and LLaMA-Factory.
 */
public record SigmoidLoss(double beta, double labelSmoothing) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray x = times(logps.delta(), beta);
        NDArray loss = times(LogSigmoid.of(x), -(1 - labelSmoothing));
        if (labelSmoothing > 0) {
            loss = loss.sub(times(LogSigmoid.of(x.neg()), labelSmoothing));
        }
        return LossTerms.pairwise(loss);
    }
}
