package dev.jdpo.model.logprob;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.tensor.OwnedTensors;
import java.util.List;

/**
 * Right-padded {@code [B, T]} batch of prompt+completion ids with its attention mask and the shifted
 * {@code [B, T-1]} completion mask (position t is 1 when token t+1 is a completion token). Owns its arrays.
 */
public final class PaddedBatch implements AutoCloseable {

    /**
     * Attention reduces over the padded key length, and libtorch's CPU kernels switch to their vector path once that
     * length reaches the SIMD width (16 floats with AVX-512): a sequence in a batch narrower than this differed in the
     * last bit from the same sequence in a wider batch (measured). Padding every batch to at least this width keeps a
     * sequence's numbers independent of its batch neighbours.
     */
    public static final int MIN_WIDTH = 16;

    private final NDManager manager;
    private final List<TokenSequence> sequences;
    private final NDArray inputIds;
    private final NDArray attentionMask;
    private final NDArray completionMask;

    private PaddedBatch(NDManager manager, List<TokenSequence> sequences, NDArray inputIds, NDArray attentionMask,
                        NDArray completionMask) {
        this.manager = manager;
        this.sequences = sequences;
        this.inputIds = inputIds;
        this.attentionMask = attentionMask;
        this.completionMask = completionMask;
    }

    /** Pads {@code sequences} on the right with {@code padId}; arrays live in a sub-manager of {@code manager}. */
    public static PaddedBatch of(NDManager manager, List<TokenSequence> sequences, int padId) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sequence");
        }
        int batch = sequences.size();
        int width = Math.max(MIN_WIDTH, sequences.stream().mapToInt(TokenSequence::length).max().orElseThrow());
        long[] ids = new long[batch * width];
        long[] mask = new long[batch * width];
        float[] completion = new float[batch * Math.max(0, width - 1)];
        for (int b = 0; b < batch; b++) {
            TokenSequence sequence = sequences.get(b);
            int[] tokens = sequence.ids();
            for (int t = 0; t < width; t++) {
                ids[b * width + t] = t < tokens.length ? tokens[t] : padId;
                mask[b * width + t] = t < tokens.length ? 1 : 0;
            }
            int prompt = sequence.promptIds().length;
            for (int t = Math.max(0, prompt - 1); t < tokens.length - 1; t++) {
                completion[b * (width - 1) + t] = 1f;
            }
        }
        NDManager owned = manager.newSubManager();
        return new PaddedBatch(owned, List.copyOf(sequences),
                OwnedTensors.of(owned, ids, new Shape(batch, width)),
                OwnedTensors.of(owned, mask, new Shape(batch, width)),
                OwnedTensors.of(owned, completion, new Shape(batch, Math.max(0, width - 1))));
    }

    /** {@code [B, T]} INT64 token ids. */
    public NDArray inputIds() {
        return inputIds;
    }

    /** {@code [B, T]} INT64, 1 for real tokens and 0 for padding. */
    public NDArray attentionMask() {
        return attentionMask;
    }

    /** {@code [B, T-1]} FP32, 1 where the logit at t scores a completion token t+1. */
    public NDArray completionMask() {
        return completionMask;
    }

    public List<TokenSequence> sequences() {
        return sequences;
    }

    public int size() {
        return sequences.size();
    }

    /** The padded width T. */
    public long width() {
        return inputIds.getShape().get(1);
    }

    /** The manager owning this batch's arrays; results computed from them attach here too. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
