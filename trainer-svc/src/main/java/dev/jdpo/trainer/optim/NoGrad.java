package dev.jdpo.trainer.optim;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's grad mode off for a block and restores it after. Grad mode is thread-local and defaults to on
 * for threads other than the one that started the engine, so in-place updates of leaf weights need this.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
