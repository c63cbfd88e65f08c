package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.jdpo.model.RopeConfig;
import dev.jdpo.model.tensor.OwnedTensors;

/**
 * Rotary position embeddings with HF Llama's rotate-half convention: {@code x*cos + rotate_half(x)*sin},
 * where the cos/sin tables are {@code cat(freqs, freqs)} over the head dimension. Tables are computed in
 * double precision in Java and cached on the model's device, growing as longer sequences arrive.
 */
public final class RotaryEmbedding implements AutoCloseable {

    private static final int MIN_TABLE_LENGTH = 256;

    private final NDManager manager;
    private final double[] inverseFrequencies;
    private final int headDim;
    private NDArray cos;
    private NDArray sin;
    private int length;

    public RotaryEmbedding(NDManager manager, RopeConfig rope, int headDim) {
        this.manager = manager;
        this.headDim = headDim;
        this.inverseFrequencies = rope.inverseFrequencies(headDim);
    }

    /** cos and sin for positions {@code [offset, offset + count)}, each {@code [count, headDim]}. */
    public synchronized NDList tables(long offset, long count) {
        long needed = offset + count;
        if (needed > length) {
            grow((int) Math.max(MIN_TABLE_LENGTH, Long.highestOneBit(needed - 1) << 1));
        }
        NDIndex rows = new NDIndex("{}:{}", offset, needed);
        return new NDList(cos.get(rows), sin.get(rows));
    }

    /**
     * cos and sin for per-row positions {@code [B, T]} (INT64), each {@code [B, 1, T, headDim]}: rows of a
     * left-padded generation batch start at different positions.
     */
    public synchronized NDList tables(NDArray positions) {
        long needed = positions.max().getLong() + 1;
        if (needed > length) {
            grow((int) Math.max(MIN_TABLE_LENGTH, Long.highestOneBit(needed - 1) << 1));
        }
        return new NDList(rows(cos, positions), rows(sin, positions));
    }

    private static NDArray rows(NDArray table, NDArray positions) {
        return table.getNDArrayInternal().embedding(positions, table, SparseFormat.DENSE).singletonOrThrow()
                .expandDims(1);
    }

    /** Rotates {@code x} of shape {@code [B, heads, T, headDim]} by its positions' tables (shared or per row). */
    public static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private void grow(int newLength) {
        int half = inverseFrequencies.length;
        float[] cosValues = new float[newLength * headDim];
        float[] sinValues = new float[newLength * headDim];
        for (int position = 0; position < newLength; position++) {
            for (int i = 0; i < half; i++) {
                double angle = position * inverseFrequencies[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                int base = position * headDim;
                cosValues[base + i] = c;
                cosValues[base + i + half] = c;
                sinValues[base + i] = s;
                sinValues[base + i + half] = s;
            }
        }
        close();
        cos = OwnedTensors.of(manager, cosValues, new Shape(newLength, headDim));
        sin = OwnedTensors.of(manager, sinValues, new Shape(newLength, headDim));
        // the tables outlive any scope a caller may have open; autograd keeps the views it saved of old ones
        NDScope.unregister(cos, sin);
        length = newLength;
    }

    @Override
    public synchronized void close() {
        if (cos != null) {
            cos.close();
            sin.close();
        }
    }
}
