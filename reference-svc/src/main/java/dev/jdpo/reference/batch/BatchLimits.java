package dev.jdpo.reference.batch;

/**
 * Size limits of one forward pass.
 *
 * @param maxTokens most padded tokens per batch (rows times the longest row); a single longer row still gets a batch
 * @param maxRows most sequences per batch
 * @param maxSequenceTokens most tokens of one sequence (prompt + completion); a longer pair is refused before it is
 *     scored, since attention over n tokens holds n² numbers per head (100,000 tokens tried to allocate 40 GB)
 */
public record BatchLimits(int maxTokens, int maxRows, int maxSequenceTokens) {

    public BatchLimits {
        if (maxTokens < 1 || maxRows < 1 || maxSequenceTokens < 1) {
            throw new IllegalArgumentException("batch limits must be positive: tokens=" + maxTokens + " rows="
                    + maxRows + " sequence tokens=" + maxSequenceTokens);
        }
    }

    /** Any sequence length: for a caller whose own settings (a run's max_length) bound the sequences. */
    public BatchLimits(int maxTokens, int maxRows) {
        this(maxTokens, maxRows, Integer.MAX_VALUE);
    }

    /** 8192 padded tokens and 64 rows: a few hundred MB of activations for a 0.5B model in FP32. */
    public static BatchLimits defaults() {
        return new BatchLimits(8192, 64);
    }
}
