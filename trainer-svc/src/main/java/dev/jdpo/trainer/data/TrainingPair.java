package dev.jdpo.trainer.data;

import dev.jdpo.model.logprob.TokenSequence;
import java.util.Objects;

/**
 * A tokenized preference pair (TRL's split: prompt ids, then each completion's ids) with its reference
 * log-probs, which are null for reference-free runs.
 *
 * @param promptIds prompt tokens
 * @param chosenIds chosen completion tokens
 * @param rejectedIds rejected completion tokens
 * @param reference frozen-model log-probs, or null
 */
public record TrainingPair(int[] promptIds, int[] chosenIds, int[] rejectedIds, ReferenceScores reference) {

    public TrainingPair {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(chosenIds, "chosenIds");
        Objects.requireNonNull(rejectedIds, "rejectedIds");
    }

    public TokenSequence chosen() {
        return new TokenSequence(promptIds, chosenIds);
    }

    public TokenSequence rejected() {
        return new TokenSequence(promptIds, rejectedIds);
    }

    /** The same pair with reference log-probs attached. */
    public TrainingPair withReference(ReferenceScores scores) {
        return new TrainingPair(promptIds, chosenIds, rejectedIds, scores);
    }

    /**
     * Non-padding tokens of the sequences a step forwards: both (TRL's DPO num_tokens counts the prompt twice), or
     * prompt and chosen alone under SFT.
     */
    public long tokenCount(boolean sft) {
        return sft ? promptIds.length + chosenIds.length
                : 2L * promptIds.length + chosenIds.length + rejectedIds.length;
    }
}
