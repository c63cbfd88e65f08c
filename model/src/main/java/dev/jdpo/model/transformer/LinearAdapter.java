package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;

/** A trainable term added to the output of some of the decoder's linear projections (e.g. LoRA's {@code s·B(Ax)}). */
public interface LinearAdapter {

    /**
     * The term to add to {@code x W^T + b}, in {@code input}'s dtype, or null when this projection is not adapted.
     *
     * @param weight the projection's base weight, as held in {@link ModelWeights} (identifies the projection)
     * @param input the projection's input {@code [..., in]}, already in the compute dtype
     */
    NDArray delta(NDArray weight, NDArray input);
}
