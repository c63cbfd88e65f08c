package dev.jdpo.trainer.data;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;

/**
 * A pair as the trainer trains it: its tokens and its frozen-model log-probs.
 *
 * @param reference frozen-model log-probs, or null for reference-free runs
 */
public record TrainingPair(PairTokens tokens, PairLogProbs reference) { }
