package dev.jdpo.evaluation.pairs;

import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.criteria.Verdict;

/**
 * The one number that ranks a prompt's sampled answers: the mean of the criteria's scores, each in [0, 1]. A
 * pass/fail criterion scores 1 or 0, so with only such criteria it is the share of criteria passed; graded ones
 * (word or token limit: limit / length) also tell two failing answers apart.
 */
public final class PairScore {

    private PairScore() {
    }

    public static double of(Judged judged) {
        double sum = 0;
        for (Verdict verdict : judged.verdicts()) {
            sum += verdict.score();
        }
        return judged.verdicts().isEmpty() ? 0 : sum / judged.verdicts().size();
    }
}
