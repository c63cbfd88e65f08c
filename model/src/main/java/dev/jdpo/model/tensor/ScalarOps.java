package dev.jdpo.model.tensor;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic between a tensor and a Java number, safe under autograd: the number becomes a scalar in memory libtorch
 * owns ({@link OwnedTensors}), where DJL's Number overloads leave backward a freed one.
 */
public final class ScalarOps {

    private ScalarOps() { }

    /** {@code x * c}. */
    public static NDArray times(NDArray x, double c) {
        return x.mul(OwnedTensors.scalar(x, c));
    }

    /** {@code x / c}. */
    public static NDArray over(NDArray x, double c) {
        return x.div(OwnedTensors.scalar(x, c));
    }

    /** {@code x + c}. */
    public static NDArray plus(NDArray x, double c) {
        return x.add(OwnedTensors.scalar(x, c));
    }

    /** {@code x - c}. */
    public static NDArray minus(NDArray x, double c) {
        return x.sub(OwnedTensors.scalar(x, c));
    }

    /** {@code max(x, c)} element-wise. */
    public static NDArray atLeast(NDArray x, double c) {
        return x.maximum(OwnedTensors.scalar(x, c));
    }
}
