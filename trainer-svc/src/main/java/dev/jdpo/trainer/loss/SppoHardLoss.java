package dev.jdpo.trainer.loss;

import static dev.jdpo.model.tensor.ScalarOps.minus;
import static dev.jdpo.model.tensor.ScalarOps.plus;

import ai.djl.ndarray.NDArray;

/**
 * SPPO with hard win probabilities (Wu et al., arXiv:2405.00675, Eq. 4.7 with P = 1 for the winner):
 * (r_c - 1/(2 beta))^2 + (r_r + 1/(2 beta))^2.
 */
public record SppoHardLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        double target = 0.5 / beta;
        NDArray winner = minus(logps.chosenLogratios(), target).square();
        NDArray loser = plus(logps.rejectedLogratios(), target).square();
        return LossTerms.pairwise(winner.add(loser));
    }
}
