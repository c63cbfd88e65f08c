package dev.jdpo.tokenizer.text;

import java.util.Arrays;

/**
 * Tokenizes a plain-text preference pair with TRL's convention: {@code prompt_ids = tok(prompt)} and
 * {@code chosen_ids = tok(prompt + chosen + eos)[len(prompt_ids):]} (same for rejected).
 */
public final class PairTokenizer {

    private final TextTokenizer tokenizer;

    public PairTokenizer(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Tokenizes one pair; the eos token is appended to each completion unless it already ends with it. */
    public TokenIds tokenize(String prompt, String chosen, String rejected) {
        int[] promptIds = tokenizer.encode(prompt);
        return new TokenIds(promptIds, completion(prompt, promptIds, chosen), completion(prompt, promptIds, rejected));
    }

    /** Completion ids after the prompt; {@link TokenIds#boundaryMatches} tells whether the prompt survived intact. */
    int[] completion(String prompt, int[] promptIds, String completion) {
        String eos = tokenizer.specialTokens().eosToken();
        String text = completion.endsWith(eos) ? completion : completion + eos;
        int[] full = tokenizer.encode(prompt + text);
        return Arrays.copyOfRange(full, Math.min(promptIds.length, full.length), full.length);
    }

    /**
     * True when {@code tok(prompt + completion)} starts with {@code tok(prompt)}; false means the tokenizer merged
     * across the boundary and the split above is not where the text splits.
     */
    public boolean boundaryMatches(String prompt, String completion) {
        int[] promptIds = tokenizer.encode(prompt);
        int[] full = tokenizer.encode(prompt + completion);
        return full.length >= promptIds.length
                && Arrays.equals(promptIds, Arrays.copyOf(full, promptIds.length));
    }

    /**
     * Tokenizes one pair and tells, per completion, whether {@code tok(prompt + completion)} starts with
     * {@code tok(prompt)} (costs no extra encoding).
     *
     * @param rejected null for an SFT example: its rejected ids are then empty
     */
    public CheckedIds tokenizeChecked(String prompt, String chosen, String rejected) {
        int[] promptIds = tokenizer.encode(prompt);
        int[] chosenFull = tokenizer.encode(prompt + withEos(chosen));
        int[] rejectedFull = rejected == null ? promptIds : tokenizer.encode(prompt + withEos(rejected));
        return new CheckedIds(new TokenIds(promptIds, after(promptIds, chosenFull), after(promptIds, rejectedFull)),
                startsWith(chosenFull, promptIds), startsWith(rejectedFull, promptIds));
    }

    private String withEos(String completion) {
        String eos = tokenizer.specialTokens().eosToken();
        return completion.endsWith(eos) ? completion : completion + eos;
    }

    private static int[] after(int[] promptIds, int[] full) {
        return Arrays.copyOfRange(full, Math.min(promptIds.length, full.length), full.length);
    }

    /** True when {@code full} begins with all of {@code prefix}. */
    public static boolean startsWith(int[] full, int[] prefix) {
        return full.length >= prefix.length && Arrays.equals(full, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A pair's ids and whether each completion kept the prompt's tokens intact. */
    public record CheckedIds(TokenIds ids, boolean chosenBoundaryMatches, boolean rejectedBoundaryMatches) { }

    /** Token ids of one pair. */
    public record TokenIds(int[] promptIds, int[] chosenIds, int[] rejectedIds) { }
}
