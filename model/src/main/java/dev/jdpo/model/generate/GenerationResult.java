package dev.jdpo.model.generate;

/**
 * Generated continuation of a prompt.
 *
 * @param tokens new token ids (the stop token included when one ended generation)
 * @param stopped true when a stop id ended generation, false when maxNewTokens did
 */
public record GenerationResult(int[] tokens, boolean stopped) {
}
