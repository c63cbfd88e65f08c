package dev.jdpo.model.logprob;

import java.util.Arrays;
import java.util.Objects;

/**
 * A prompt and a completion as token ids, split as TRL splits them; only completion tokens are scored.
 *
 * @param promptIds prompt tokens
 * @param completionIds completion tokens (ending in eos for plain-text data)
 */
public record TokenSequence(int[] promptIds, int[] completionIds) {

    public TokenSequence {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(completionIds, "completionIds");
        if (promptIds.length + completionIds.length == 0) {
            throw new IllegalArgumentException("a sequence needs at least one token");
        }
    }

    public int length() {
        return promptIds.length + completionIds.length;
    }

    /** Prompt followed by completion. */
    public int[] ids() {
        int[] ids = Arrays.copyOf(promptIds, length());
        System.arraycopy(completionIds, 0, ids, promptIds.length, completionIds.length);
        return ids;
    }

    /** Completion tokens that get a log-prob: all of them unless the prompt is empty (nothing predicts token 0). */
    public int scoredTokens() {
        return promptIds.length == 0 ? Math.max(0, completionIds.length - 1) : completionIds.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenSequence that && Arrays.equals(promptIds, that.promptIds)
                && Arrays.equals(completionIds, that.completionIds);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(promptIds) + Arrays.hashCode(completionIds);
    }

    @Override
    public String toString() {
        return "TokenSequence[prompt=" + Arrays.toString(promptIds) + ", completion=" + Arrays.toString(completionIds)
                + "]";
    }
}
