package dev.jdpo.trainer.grpc;

import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.trainer.config.InvalidConfigException;

/**
 * The most tokens of one sequence (prompt + completion) a trainer trains on: attention over n tokens holds n² numbers
 * per head, so a longer pair is refused as it arrives, before training allocates anything for it.
 *
 * @param maxTokens most tokens of prompt_ids + chosen_ids, and of prompt_ids + rejected_ids
 */
public record SequenceLimit(int maxTokens) {

    /** No limit: for an in-process trainer, whose only caller bounds the sequences with the run's max_length. */
    public static final SequenceLimit NONE = new SequenceLimit(Integer.MAX_VALUE);

    public SequenceLimit {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-sequence-length: must be at least 1, got " + maxTokens);
        }
    }

    /**
     * @param sft whether only the chosen side is trained (SFT ignores a preference pair's rejected side)
     * @throws InvalidConfigException naming the sides that are too long
     */
    void check(PairTokens pair, boolean sft) {
        pair.overLength(maxTokens, sft).ifPresent(tooLong -> {
            throw new InvalidConfigException("data", tooLong + "; this trainer trains at most " + maxTokens
                    + " per sequence (--max-sequence-length)");
        });
    }
}
