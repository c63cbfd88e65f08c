package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;

/**
 * SPPO with hard win probabilities (Wu et al., arXiv:2405.00675, Eq. 4.7 with P = 1 for the winner):
 * (r_c - 1/(2 beta))^2 + (r_r + 1/(2 beta))^2.
 */
public record SppoHardLoss(double beta) implements PreferenceLoss {

    @Override
    public LossTerms compute(PairLogps logps) {
        double target = 0.5 / beta;
        NDArray winner = logps.chosenLogratios().sub(target).square();
        NDArray loser = logps.rejectedLogratios().add(target).square();
        return LossTerms.pairwise(winner.add(loser));
    }
}
