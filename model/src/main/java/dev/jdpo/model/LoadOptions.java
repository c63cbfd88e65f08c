package dev.jdpo.model;

import ai.djl.Device;
import java.util.Objects;

/**
 * How to load a model.
 *
 * @param device where the weights live
 * @param precision how the forward pass computes
 * @param trainable whether the FP32 master weights require gradients
 */
public record LoadOptions(Device device, Precision precision, boolean trainable) {

    public LoadOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
    }

    /** Frozen FP32 model on the CPU (scoring, reference model). */
    public static LoadOptions cpu() {
        return new LoadOptions(Device.cpu(), Precision.FP32, false);
    }

    /** Trainable FP32 model on the CPU (policy model). */
    public static LoadOptions trainableCpu() {
        return new LoadOptions(Device.cpu(), Precision.FP32, true);
    }
}
