package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.trainer.config.InvalidConfigException;

/**
 * The most tokens of one sequence (prompt + completion) a trainer trains on: attention over n tokens holds n² numbers
 * per head, so a longer pair is refused as it arrives, before anything is allocated for it.
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
    void check(TokenizedPair pair, boolean sft) {
        check(pair.getPromptIdsCount(), pair.getChosenIdsCount(), "chosen_ids");
        if (!sft) {
            check(pair.getPromptIdsCount(), pair.getRejectedIdsCount(), "rejected_ids");
        }
    }

    private void check(int promptTokens, int completionTokens, String completion) {
        long tokens = (long) promptTokens + completionTokens;
        if (tokens > maxTokens) {
            throw new InvalidConfigException("data", "prompt_ids + " + completion + " are " + tokens
                    + " tokens; this trainer trains at most " + maxTokens + " per sequence (--max-sequence-length)");
        }
    }
}
