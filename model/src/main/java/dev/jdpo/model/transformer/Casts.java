package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Dtype casts that keep the autograd graph. DJL's {@code toType} runs libtorch's {@code to} under a
 * {@code NoGradGuard} (its JNI {@code torchTo}), so inside a gradient collector a cast cuts off every gradient
 * behind it: FP16 mixed-precision training then fails with "element 0 of tensors does not require grad".
 * While gradients are recorded the cast is a copy into a new array of the target type ({@code copy_}, which
 * autograd differentiates); otherwise it is DJL's plain cast.
 */
public final class Casts {

    private static final NDIndex ALL = new NDIndex("...");

    private Casts() {
    }

    /** {@code x} as {@code type}; {@code x} itself when it already is. Attached to {@code x}'s manager. */
    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        if (!JniUtils.isGradMode()) {
            return x.toType(type, false);
        }
        NDArray cast = x.getManager().zeros(x.getShape(), type);
        cast.set(ALL, x);
        return cast;
    }
}
