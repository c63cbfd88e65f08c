package dev.jdpo.evaluation.pairs;

import java.util.List;

/**
 * What sampling yielded.
 *
 * @param pairs one pair per prompt whose answers' scores differ, in prompt order
 * @param prompts prompt rows sampled
 * @param ties prompt rows without a pair: all their non-blank answers scored the same (or fewer than two were
 *     not blank)
 * @param blankAnswers answers left out for being blank
 */
public record SampledPairs(List<SampledPair> pairs, int prompts, int ties, int blankAnswers) {

    public SampledPairs {
        pairs = List.copyOf(pairs);
    }
}
