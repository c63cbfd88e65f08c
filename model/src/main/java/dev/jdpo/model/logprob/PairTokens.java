package dev.jdpo.model.logprob;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tokenized preference pair, split as TRL splits it (prompt ids, then each completion's ids): the one pair type
 * the reference scores and the trainer trains. The arrays are not copied; treat them as read-only.
 */
public record PairTokens(int[] promptIds, int[] chosenIds, int[] rejectedIds) {

    public PairTokens {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(chosenIds, "chosenIds");
        Objects.requireNonNull(rejectedIds, "rejectedIds");
    }

    /** The pair from id lists, as a wire message's repeated fields hold them. */
    public static PairTokens of(List<Integer> promptIds, List<Integer> chosenIds, List<Integer> rejectedIds) {
        return new PairTokens(ints(promptIds), ints(chosenIds), ints(rejectedIds));
    }

    public TokenSequence chosen() {
        return new TokenSequence(promptIds, chosenIds);
    }

    public TokenSequence rejected() {
        return new TokenSequence(promptIds, rejectedIds);
    }

    /**
     * Non-padding tokens of the sequences a step forwards: both (TRL's DPO num_tokens counts the prompt twice), or
     * prompt and chosen alone under SFT.
     */
    public long tokenCount(boolean sft) {
        return sft ? promptIds.length + chosenIds.length
                : 2L * promptIds.length + chosenIds.length + rejectedIds.length;
    }

    /**
     * The first sequence longer than {@code maxTokens}, as "prompt_ids + chosen_ids are N tokens" (chosen first;
     * the rejected side is skipped when {@code chosenOnly}), or empty when they fit.
     */
    public Optional<String> overLength(int maxTokens, boolean chosenOnly) {
        long chosen = (long) promptIds.length + chosenIds.length;
        long rejected = (long) promptIds.length + rejectedIds.length;
        if (chosen > maxTokens) {
            return Optional.of("prompt_ids + chosen_ids are " + chosen + " tokens");
        }
        return chosenOnly || rejected <= maxTokens ? Optional.empty()
                : Optional.of("prompt_ids + rejected_ids are " + rejected + " tokens");
    }

    /** The first token id outside {@code [0, vocabSize)}: prompt, then chosen, then rejected; empty when all fit. */
    public Optional<OutOfVocabulary> firstIdOutside(int vocabSize) {
        String[] sides = {"prompt", "chosen", "rejected"};
        int[][] ids = {promptIds, chosenIds, rejectedIds};
        for (int s = 0; s < ids.length; s++) {
            for (int i = 0; i < ids[s].length; i++) {
                if (ids[s][i] < 0 || ids[s][i] >= vocabSize) {
                    return Optional.of(new OutOfVocabulary(sides[s], i, ids[s][i]));
                }
            }
        }
        return Optional.empty();
    }

    /** A token id a model cannot look up: its side ("prompt", "chosen" or "rejected") and position there. */
    public record OutOfVocabulary(String side, int position, int id) { }

    private static int[] ints(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
