package dev.jdpo.trainer.config;

import dev.jdpo.model.StorageDType;
import dev.jdpo.proto.v1.OutputConfig;
import java.util.Locale;

/**
 * The run API's {@code jdpo.v1.TrainingConfig} and {@code OutputConfig} as the engine's {@link TrainingConfig}: the
 * one mapper, used by the orchestrator and the trainer service alike. Unset fields take {@link TrainingDefaults};
 * errors name the field as the run API does ({@code training.beta}, {@code output.log_interval}).
 */
public final class ProtoTrainingConfig {

    private ProtoTrainingConfig() { }

    /** @throws InvalidConfigException naming the field path */
    public static TrainingConfig toEngine(dev.jdpo.proto.v1.TrainingConfig training, OutputConfig output) {
        dev.jdpo.proto.v1.TrainingConfig.Builder tb = training.toBuilder();
        TrainingDefaults.fill(tb);
        OutputConfig.Builder ob = output.toBuilder();
        TrainingDefaults.fill(ob);
        dev.jdpo.proto.v1.TrainingConfig t = tb.build();
        OutputConfig o = ob.build();
        return TrainingConfig.builder()
                .lossTypes(t.getLossTypesList())
                .lossWeights(t.getLossWeightsList())
                .beta(t.getBeta())
                .labelSmoothing(t.getLabelSmoothing())
                .simpoGamma(t.getSimpoGamma())
                .discopopTau(t.getDiscopopTau())
                .ldAlpha(t.hasLdAlpha() ? t.getLdAlpha() : null)
                .useWeighting(t.getUseWeighting())
                .learningRate(t.getLearningRate())
                .weightDecay(t.getWeightDecay())
                .maxGradNorm(t.getMaxGradNorm())
                .scheduler(SchedulerType.parse("training.lr_scheduler", t.getLrScheduler()))
                .warmupSteps(toInt("training.warmup_steps", t.getWarmupSteps()))
                .warmupRatio(t.getWarmupRatio())
                .batchSize(t.hasBatchSize() ? t.getBatchSize() : TrainingDefaults.BATCH_SIZE)
                .gradientAccumulationSteps(t.getGradientAccumulationSteps())
                .maxSteps(t.getMaxSteps() > 0 ? toInt("training.max_steps", t.getMaxSteps()) : -1)
                .epochs(t.hasEpochs() ? t.getEpochs() : TrainingDefaults.EPOCHS)
                .seed(t.getSeed())
                .saveSteps(toInt("output.checkpoint_interval", o.getCheckpointInterval()))
                .saveTotalLimit(o.getSaveTotalLimit())
                .loggingSteps(toInt("output.log_interval", o.getLogInterval()))
                .saveDtype(saveDtype(o.getSaveDtype()))
                .build();
    }

    private static int toInt(String field, long value) {
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new InvalidConfigException(field, "must fit in 32 bits, got " + value);
        }
        return (int) value;
    }

    private static StorageDType saveDtype(String value) {
        if (value.isBlank()) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "f32" -> StorageDType.F32;
            case "f16" -> StorageDType.F16;
            case "bf16" -> StorageDType.BF16;
            default -> throw new InvalidConfigException("output.save_dtype", "expected f32, f16 or bf16 (or empty "
                    + "for the policy's own dtype), got '" + value + "'");
        };
    }
}
