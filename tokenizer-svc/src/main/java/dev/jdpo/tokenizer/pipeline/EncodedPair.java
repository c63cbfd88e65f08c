package dev.jdpo.tokenizer.pipeline;

/**
 * A tokenized preference pair (TRL convention: completions exclude the prompt's ids), after truncation.
 * The arrays are not copied; treat them as read-only.
 *
 * @param truncated whether the prompt or a completion was shortened
 */
public record EncodedPair(long sourceLine, int[] promptIds, int[] chosenIds, int[] rejectedIds, boolean truncated) {
}
