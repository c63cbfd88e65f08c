package dev.jdpo.tokenizer.pipeline;

/**
 * A tokenized preference pair (TRL convention: completions exclude the prompt's ids), after truncation.
 * The arrays are not copied; treat them as read-only.
 *
 * @param contentHash hex SHA-256 over the three id lists ({@link ContentHash})
 * @param truncated whether the prompt or a completion was shortened
 */
public record EncodedPair(long sourceLine, int[] promptIds, int[] chosenIds, int[] rejectedIds, String contentHash,
                          boolean truncated) {
}
