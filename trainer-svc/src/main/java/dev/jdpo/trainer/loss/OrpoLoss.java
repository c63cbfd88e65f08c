package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.plus;
import static dev.jdpo.model.tensor.ScalarOps.times;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * ORPO (Hong et al., arXiv:2403.07691), reference-free: token-mean NLL of the chosen completions plus
 * lambda (-log sigma(log odds_c - log odds_r)), where log odds = a - log(1 - exp(a)) for the length-averaged
 * log-prob a. lambda is {@code beta}, as in TRL's ORPOConfig.
 */
public record OrpoLoss(double lambda) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosenAvg = logps.chosenAverage();
        NDArray rejectedAvg = logps.rejectedAverage();
        NDArray logOdds = chosenAvg.sub(rejectedAvg).sub(log1mExp(chosenAvg).sub(log1mExp(rejectedAvg)));
        NDArray oddsRatio = times(LogSigmoid.of(logOdds), -lambda);
        return new LossTerms(oddsRatio, logps.chosenTokenSum().neg());
    }

    /**
     * log(1 - exp(a)) for a <= 0, in FP64: near a = 0 FP32 would lose every digit of 1 - exp(a), and DJL has
     * no expm1/log1p.
     */
    private static NDArray log1mExp(NDArray a) {
        return plus(a.toType(DataType.FLOAT64, false).exp().neg(), 1.0).log().toType(DataType.FLOAT32, false);
    }
}
