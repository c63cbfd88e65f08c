package dev.jdpo.trainer.config;

import dev.jdpo.model.StorageDType;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.proto.v1.OutputConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
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
                .method(TrainingMethod.parse(t.getMethod()))
                .lossScaling(lossScaling(t))
                .lora(lora(t))
                .gradientCheckpointing(t.getGradientCheckpointing())
                .build();
    }

    /**
     * The run's FP16 loss scaling ({@code training.loss_scaling}), unset fields at GradScaler's defaults.
     *
     * @throws InvalidConfigException naming the field path, e.g. {@code training.loss_scaling.backoff_factor}
     */
    public static LossScaling lossScaling(dev.jdpo.proto.v1.TrainingConfig training) {
        dev.jdpo.proto.v1.LossScaling s = training.getLossScaling();
        LossScaling d = LossScaling.DEFAULT;
        return new LossScaling(s.hasInitScale() ? s.getInitScale() : d.initScale(),
                s.hasGrowthFactor() ? s.getGrowthFactor() : d.growthFactor(),
                s.hasBackoffFactor() ? s.getBackoffFactor() : d.backoffFactor(),
                s.hasGrowthInterval() ? s.getGrowthInterval() : d.growthInterval());
    }

    /**
     * The run's LoRA settings ({@code training.lora}), or null when it trains every weight.
     *
     * @throws InvalidConfigException naming the field path, e.g. {@code training.lora.r}
     */
    public static LoraTraining lora(dev.jdpo.proto.v1.TrainingConfig training) {
        if (!training.hasLora()) {
            return null;
        }
        dev.jdpo.proto.v1.LoraConfig l = training.getLora();
        boolean merge = l.getMergeAtEnd();
        if (!l.getAdapter().isBlank()) {
            // a continued adapter's adapter_config.json is the one source of its settings
            String set = l.hasR() ? "r" : l.hasLoraAlpha() ? "lora_alpha" : l.hasLoraDropout() ? "lora_dropout"
                    : l.getTargetModulesCount() > 0 ? "target_modules" : l.hasUseRslora() ? "use_rslora" : null;
            if (set != null) {
                throw new InvalidConfigException("training.lora." + set, "set by training.lora.adapter's "
                        + "adapter_config.json; leave it unset when continuing an adapter");
            }
            try {
                return new LoraTraining(Path.of(l.getAdapter()), null, merge);
            } catch (InvalidPathException e) {
                throw new InvalidConfigException("training.lora.adapter", "not a valid path: " + e.getReason());
            }
        }
        int r = l.hasR() ? l.getR() : TrainingDefaults.LORA_R;
        if (r < 1) {
            throw new InvalidConfigException("training.lora.r", "must be >= 1, got " + r);
        }
        double alpha = l.hasLoraAlpha() ? l.getLoraAlpha() : TrainingDefaults.LORA_ALPHA;
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new InvalidConfigException("training.lora.lora_alpha", "must be a positive number, got " + alpha);
        }
        double dropout = l.getLoraDropout();
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidConfigException("training.lora.lora_dropout", "must be in [0, 1), got " + dropout);
        }
        return new LoraTraining(null, new LoraConfig(r, alpha, dropout, l.getUseRslora(),
                targetModules(l.getTargetModulesList())), merge);
    }

    private static TargetModules targetModules(List<String> names) {
        if (names.isEmpty()) {
            return TargetModules.names(TrainingDefaults.LORA_TARGET_MODULES);
        }
        if (names.size() == 1 && names.get(0).equals(TargetModules.ALL_LINEAR)) {
            return TargetModules.allLinear();
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isBlank()) {
                throw new InvalidConfigException("training.lora.target_modules[" + i + "]", "empty module name");
            }
        }
        return TargetModules.names(names);
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
