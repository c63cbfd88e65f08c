package dev.jdpo.reference.batch;

/**
 * Size limits of one forward pass.
 *
 * @param maxTokens most padded tokens per batch (rows times the longest row); a single longer row still gets a batch
 * @param maxRows most sequences per batch
 */
public record BatchLimits(int maxTokens, int maxRows) {

    public BatchLimits {
        if (maxTokens < 1 || maxRows < 1) {
            throw new IllegalArgumentException("batch limits must be positive: tokens=" + maxTokens + " rows=" + maxRows);
        }
    }

    /** 8192 padded tokens and 64 rows: a few hundred MB of activations for a 0.5B model in FP32. */
    public static BatchLimits defaults() {
        return new BatchLimits(8192, 64);
    }
}
