package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * NCA's pairwise loss (Chen et al., arXiv:2402.05369):
 * -log sigma(beta r_c) - 1/2 log sigma(-beta r_c) - 1/2 log sigma(-beta r_r), r the log-ratios.
 */
public record NcaPairLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = logps.chosenLogratios().mul(beta);
        NDArray rejected = logps.rejectedLogratios().mul(beta);
        NDArray loss = LogSigmoid.of(chosen).neg()
                .sub(LogSigmoid.of(chosen.neg()).mul(0.5))
                .sub(LogSigmoid.of(rejected.neg()).mul(0.5));
        return LossTerms.pairwise(loss);
    }
}
