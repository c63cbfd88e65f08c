package dev.jdpo.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;

/**
 * Global-norm gradient clipping as torch's {@code clip_grad_norm_}: total = ||(||g_1||, ..., ||g_n||)||,
 * every gradient scaled in place by min(1, max_norm / (total + 1e-6)). DJL's own optClipGrad is element-wise.
 */
public final class GradientClipping {

    private GradientClipping() { }

    /** The global L2 norm of the weights' gradients (0 when none has a gradient yet). */
    public static double globalNorm(Collection<NDArray> weights) {
        try (NDScope scope = new NDScope(); NoGrad noGrad = NoGrad.enter()) {
            NDList norms = new NDList();
            for (NDArray weight : weights) {
                PtNDArray grad = JniUtils.getGradient((PtNDArray) weight);
                if (grad != null) {
                    norms.add(grad.norm());
                }
            }
            return norms.isEmpty() ? 0.0 : NDArrays.stack(norms).norm().getFloat();
        }
    }

    /**
     * Scales the gradients so their global norm is at most {@code maxNorm}.
     *
     * @param totalNorm the norm from {@link #globalNorm}, measured before clipping
     */
    public static void clip(Collection<NDArray> weights, double maxNorm, double totalNorm) {
        double coefficient = Math.min(1.0, maxNorm / (totalNorm + 1e-6));
        if (coefficient >= 1.0) {
            return;
        }
        try (NDScope scope = new NDScope(); NoGrad noGrad = NoGrad.enter()) {
            for (NDArray weight : weights) {
                PtNDArray grad = JniUtils.getGradient((PtNDArray) weight);
                if (grad != null) {
                    grad.muli((float) coefficient);
                }
            }
        }
    }
}
