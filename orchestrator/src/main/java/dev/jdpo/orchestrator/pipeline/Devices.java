package dev.jdpo.orchestrator.pipeline;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.v1.ModelConfig;

/** The device and precision a run's config asks for, as model load options. */
public final class Devices {

    private Devices() {
    }

    public static LoadOptions loadOptions(ModelConfig model, boolean trainable) throws RunFailure {
        return new LoadOptions(device(model.getDevice()), precision(model), trainable);
    }

    private static Device device(String name) throws RunFailure {
        String wanted = name.isBlank() ? "auto" : name.trim();
        if (wanted.equals("auto")) {
            return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (wanted.equals("cpu")) {
            return Device.cpu();
        }
        if (wanted.equals("gpu")) {
            return requireGpu(0, name);
        }
        if (wanted.startsWith("gpu:")) {
            try {
                return requireGpu(Integer.parseInt(wanted.substring(4)), name);
            } catch (NumberFormatException notANumber) {
                throw new RunFailure("invalid_device", "model.device: expected cpu, gpu, gpu:N or auto, got \"" + name
                        + "\"", "model.device");
            }
        }
        throw new RunFailure("invalid_device", "model.device: expected cpu, gpu, gpu:N or auto, got \"" + name + "\"",
                "model.device");
    }

    private static Device requireGpu(int index, String name) throws RunFailure {
        int gpus = Engine.getInstance().getGpuCount();
        if (index >= gpus) {
            throw new RunFailure("invalid_device", "model.device: " + name + " asked for GPU " + index + " but "
                    + gpus + " GPU(s) are visible", "model.device");
        }
        return Device.gpu(index);
    }

    private static Precision precision(ModelConfig model) {
        return switch (model.getPrecision()) {
            case PRECISION_TF32 -> Precision.TF32;
            case PRECISION_FP16 -> Precision.FP16;
            default -> Precision.FP32;
        };
    }
}
