package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Additive attention masks: causal, key padding and optional sliding window, composed from DJL ops. */
public final class AttentionMask {

    /**
     * A large finite negative instead of -inf: exp() still gives exactly 0 for masked keys, and a query whose
     * keys are all masked (a pad row) gets a uniform softmax instead of NaN.
     */
    static final float MASKED = -1e9f;

    private AttentionMask() {
    }

    /**
     * Mask of shape {@code [B, 1, 1, T, S]} (broadcasting over kv heads and grouped query heads) that is 0 where
     * query {@code offset + t} may attend to key {@code s} and {@link #MASKED} elsewhere.
     *
     * @param keyMask {@code [B, S]}, non-zero for real tokens
     * @param offset absolute position of the first query (the KV-cache length)
     * @param queries number of queries T
     * @param window sliding window in tokens (key kept when {@code q - k < window}), 0 for none
     */
    public static NDArray additive(NDArray keyMask, long offset, long queries, int window) {
        NDManager manager = keyMask.getManager();
        long batch = keyMask.getShape().get(0);
        long keys = keyMask.getShape().get(1);
        NDArray queryPositions = manager.arange((int) offset, (int) (offset + queries), 1, DataType.INT64)
                .reshape(queries, 1);
        NDArray keyPositions = manager.arange(0, (int) keys, 1, DataType.INT64).reshape(1, keys);
        NDArray allowed = keyPositions.lte(queryPositions);
        if (window > 0) {
            allowed = allowed.logicalAnd(queryPositions.sub(keyPositions).lt(window));
        }
        NDArray realKeys = keyMask.neq(0).reshape(batch, 1, 1, 1, keys);
        return realKeys.logicalAnd(allowed).toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED);
    }
}
