package dev.jdpo.model.logprob;

/**
 * How many positions' logits are formed at once: a fixed memory budget rather than the whole {@code [B, T, vocab]}
 * (vocab 151,936 x 2,048 tokens is 1.2 GB per copy), and rather than a cap so small that the LM head runs as thin
 * GEMMs (110 rows at 67 GFLOP/s against 90 for one wide one on a 2-core CPU, measured on the Qwen2.5-0.5B shape).
 */
final class LogitBudget {

    /** FP32 logits of one slice: 256 MiB, about 440 positions at a 152k vocabulary. */
    static final long SLICE_BYTES = 256L << 20;

    private LogitBudget() { }

    /** Positions per slice when each position holds {@code rows} rows of {@code vocab} logits; at least 1. */
    static long positionsPerSlice(long rows, int vocab) {
        return Math.max(1, SLICE_BYTES / (rows * vocab * Float.BYTES));
    }
}
