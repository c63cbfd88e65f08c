package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * Alignment via Optimal Transport (Melnyk et al., arXiv:2406.05882): the smoothed sigmoid loss on
 * d = sort(a) - sort(b) over the micro-batch, where the paired form sorts the policy and reference log-ratio
 * margins (a = l_c - l_r, b = ref_c - ref_r) and the unpaired form sorts the chosen and rejected log-ratios.
 * As in TRL, the sort spans one (micro-)batch, so accumulation does not reproduce a larger batch for this loss.
 */
public record AotLoss(double beta, double labelSmoothing, boolean paired) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray d = paired
                ? logps.chosen().sub(logps.rejected()).sort(0)
                        .sub(logps.refChosen().sub(logps.refRejected()).sort(0))
                : logps.chosenLogratios().sort(0).sub(logps.rejectedLogratios().sort(0));
        NDArray x = times(d, beta);
        NDArray loss = times(LogSigmoid.of(x), -(1 - labelSmoothing));
        if (labelSmoothing > 0) {
            loss = loss.sub(times(LogSigmoid.of(x.neg()), labelSmoothing));
        }
        return LossTerms.pairwise(loss);
    }
}
