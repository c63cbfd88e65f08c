package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of every layer for the tokens seen so far (after RoPE), so that a generation step only
 * runs the new token. Each step concatenates the new K/V along the sequence axis.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray keyMask;
    private long length;

    public KvCache(NDManager parent, int numLayers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** Number of cached positions, i.e. the position of the next token. */
    public long length() {
        return length;
    }

    /** Appends {@code [B, kvHeads, T, headDim]} keys and values to layer {@code layer}; returns the full K and V. */
    NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        keys[layer] = extend(keys[layer], newKeys, 2);
        values[layer] = extend(values[layer], newValues, 2);
        return new NDArray[] {keys[layer], values[layer]};
    }

    /** Appends the new tokens' {@code [B, T]} mask and returns the mask of every cached key {@code [B, S]}. */
    NDArray appendMask(NDArray newMask) {
        keyMask = extend(keyMask, newMask, 1);
        return keyMask;
    }

    /** Marks {@code tokens} more positions as cached once every layer has appended them. */
    void advance(long tokens) {
        length += tokens;
    }

    /**
     * Keeps only the batch rows whose {@code keep} entry is true (in order), so finished sequences of a generation
     * batch stop costing compute.
     */
    public void retainRows(boolean[] keep) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray rows = scratch.create(keep);
            for (int layer = 0; layer < keys.length; layer++) {
                keys[layer] = select(keys[layer], rows);
                values[layer] = select(values[layer], rows);
            }
            keyMask = select(keyMask, rows);
        }
    }

    private NDArray select(NDArray old, NDArray rows) {
        if (old == null) {
            return null;
        }
        NDArray kept = old.get(rows);
        NDScope.unregister(kept);
        kept.attach(manager);
        old.close();
        return kept;
    }

    private NDArray extend(NDArray old, NDArray addition, int axis) {
        NDArray combined = old == null ? addition.duplicate() : old.concat(addition, axis);
        NDScope.unregister(combined);
        combined.attach(manager);
        if (old != null) {
            old.close();
        }
        return combined;
    }

    @Override
    public void close() {
        manager.close();
    }
}
