package dev.jdpo.evaluation.pairs;

import dev.jdpo.evaluation.Judged;

/**
 * One self-generated preference pair: the best- and the worst-scoring of a prompt's sampled answers.
 *
 * @param preferred the answer with the highest score (the first such sample on a tie for best)
 * @param rejected the answer with the lowest score (the first such sample on a tie for worst)
 */
public record SampledPair(Judged preferred, Judged rejected) {

    public SampledPair {
        if (preferred.completion().index() != rejected.completion().index()) {
            throw new IllegalArgumentException("a pair's answers must answer the same prompt row");
        }
        if (!(PairScore.of(preferred) > PairScore.of(rejected))) {
            throw new IllegalArgumentException("the preferred answer must score higher than the rejected one");
        }
    }
}
