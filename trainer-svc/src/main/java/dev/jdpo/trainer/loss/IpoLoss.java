package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.atLeast;
import static dev.jdpo.model.tensor.ScalarOps.minus;

import ai.djl.ndarray.NDArray;

/**
 * IPO's squared loss (Azar et al., arXiv:2310.12036, Eq. 17) with TRL's length normalisation:
 * (r_c/|y_c| - r_r/|y_r| - 1/(2 beta))^2, where r is the log-ratio and beta plays the role of tau.
 */
public record IpoLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        NDArray chosen = logps.chosenLogratios().div(atLeast(logps.chosenLengths(), 1));
        NDArray rejected = logps.rejectedLogratios().div(atLeast(logps.rejectedLengths(), 1));
        return LossTerms.pairwise(minus(chosen.sub(rejected), 1 / (2 * beta)).square());
    }
}
