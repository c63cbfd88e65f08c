package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;

/**
 * NCA's pairwise loss (Chen et al., arXiv:2402.05369):
 * -log sigma(beta r_c) - 1/2 log sigma(-beta r_c) - 1/2 log sigma(-beta r_r), r the log-ratios.
 */
public record NcaPairLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = times(logps.chosenLogratios(), beta);
        NDArray rejected = times(logps.rejectedLogratios(), beta);
        NDArray loss = LogSigmoid.of(chosen).neg()
                .sub(times(LogSigmoid.of(chosen.neg()), 0.5))
                .sub(times(LogSigmoid.of(rejected.neg()), 0.5));
        return LossTerms.pairwise(loss);
    }
}
