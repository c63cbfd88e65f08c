package dev.jdpo.model.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Tensors made from Java values in memory libtorch owns. On CPU, DJL's {@code manager.create(...)} aliases a Java direct
 * buffer that {@code close()} lets go and a GC then frees, while autograd's saved tensors and views may still read it:
 * a backward after a GC read -1.7e35 where the gradient was 3. DJL's Number overloads ({@code x.mul(0.5)}) create and
 * close such a scalar at once, so code under autograd takes its scalars from {@link #scalar} instead.
 */
public final class OwnedTensors {

    private OwnedTensors() { }

    /** A scalar on {@code like}'s manager and device, FLOAT64 when {@code like} is and FLOAT32 otherwise. */
    public static NDArray scalar(NDArray like, double value) {
        NDManager manager = like.getManager();
        return like.getDataType() == DataType.FLOAT64 ? owned(manager.create(value)) : scalar(manager, value);
    }

    /** A FLOAT32 scalar on {@code manager}'s device. */
    public static NDArray scalar(NDManager manager, double value) {
        return owned(manager.create((float) value));
    }

    public static NDArray of(NDManager manager, float[] values, Shape shape) {
        return owned(manager.create(values, shape));
    }

    public static NDArray of(NDManager manager, float[] values) {
        return owned(manager.create(values));
    }

    public static NDArray of(NDManager manager, long[] values, Shape shape) {
        return owned(manager.create(values, shape));
    }

    /** {@code values} as a FLOAT32 tensor of {@code shape}; the buffer is read now and may be reused after. */
    public static NDArray of(NDManager manager, java.nio.ByteBuffer values, Shape shape) {
        return owned(manager.create(values, shape, DataType.FLOAT32));
    }

    /**
     * A copy libtorch owns of a tensor just made from Java memory (a GPU tensor is already a copy); the aliasing
     * original is closed.
     */
    private static NDArray owned(NDArray created) {
        if (created.getDevice().isGpu()) {
            return created;
        }
        NDArray copy = created.duplicate();
        created.close();
        return copy;
    }
}
