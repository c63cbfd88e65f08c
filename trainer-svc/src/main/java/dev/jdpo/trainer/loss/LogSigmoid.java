package dev.jdpo.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Numerically stable log-sigmoid, as torch's {@code F.logsigmoid}. */
final class LogSigmoid {

    private LogSigmoid() { }

    /** log(sigma(x)) = -softplus(-x); never overflows for large |x|. */
    static NDArray of(NDArray x) {
        return Activation.softPlus(x.neg()).neg();
    }
}
