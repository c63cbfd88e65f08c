package dev.jdpo.model.logprob;

/**
 * How many positions' logits are formed at once: a fixed memory budget rather than the whole {@code [B, T, vocab]}
 * (vocab 151,936 x 2,048 tokens is 1.2 GB per copy), and rather than a cap so small that the LM head runs as thin
 * GEMMs (issue 11 measured 67 GFLOP/s for the former 64 MiB cap's 110-row slices against 90 for one wide GEMM).
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
