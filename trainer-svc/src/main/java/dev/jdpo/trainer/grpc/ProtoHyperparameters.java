package dev.jdpo.trainer.grpc;

import dev.jdpo.model.StorageDType;
import dev.jdpo.proto.internal.v1.TrainerHyperparameters;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import java.util.Locale;

/** {@code TrainerHyperparameters} to and from the engine's {@link TrainingConfig}; unset fields take its defaults. */
public final class ProtoHyperparameters {

    private ProtoHyperparameters() { }

    /**
     * The config the message describes.
     *
     * @throws InvalidConfigException naming the message's field (e.g. {@code loss_types}, {@code save_dtype})
     */
    public static TrainingConfig toConfig(TrainerHyperparameters h) {
        TrainingConfig.Builder b = TrainingConfig.builder();
        if (h.getLossTypesCount() > 0) {
            b.lossTypes(h.getLossTypesList());
        }
        if (h.getLossWeightsCount() > 0) {
            b.lossWeights(h.getLossWeightsList());
        }
        if (h.hasBeta()) {
            b.beta(h.getBeta());
        }
        if (h.hasLabelSmoothing()) {
            b.labelSmoothing(h.getLabelSmoothing());
        }
        if (h.hasSimpoGamma()) {
            b.simpoGamma(h.getSimpoGamma());
        }
        if (h.hasDiscopopTau()) {
            b.discopopTau(h.getDiscopopTau());
        }
        b.ldAlpha(h.hasLdAlpha() ? h.getLdAlpha() : null);
        b.useWeighting(h.getUseWeighting());
        if (h.hasLearningRate()) {
            b.learningRate(h.getLearningRate());
        }
        if (h.hasWeightDecay()) {
            b.weightDecay(h.getWeightDecay());
        }
        TrainingConfig defaults = TrainingConfig.builder().build();
        b.adamBetas(h.hasAdamBeta1() ? h.getAdamBeta1() : defaults.adamBeta1(),
                h.hasAdamBeta2() ? h.getAdamBeta2() : defaults.adamBeta2());
        if (h.hasAdamEpsilon()) {
            b.adamEpsilon(h.getAdamEpsilon());
        }
        if (h.hasMaxGradNorm()) {
            b.maxGradNorm(h.getMaxGradNorm());
        }
        if (!h.getLrSchedulerType().isBlank()) {
            b.scheduler(SchedulerType.parse("lr_scheduler_type", h.getLrSchedulerType()));
        }
        b.warmupSteps(h.getWarmupSteps());
        b.warmupRatio(h.getWarmupRatio());
        if (h.hasBatchSize()) {
            b.batchSize(h.getBatchSize());
        }
        if (h.hasGradientAccumulationSteps()) {
            b.gradientAccumulationSteps(h.getGradientAccumulationSteps());
        }
        if (h.getMaxSteps() > 0) {
            b.maxSteps(h.getMaxSteps());
        }
        if (h.hasEpochs()) {
            b.epochs(h.getEpochs());
        }
        if (h.hasSeed()) {
            b.seed(h.getSeed());
        }
        if (h.hasSaveSteps()) {
            b.saveSteps(h.getSaveSteps());
        }
        b.saveTotalLimit(h.getSaveTotalLimit());
        if (h.hasLoggingSteps()) {
            b.loggingSteps(h.getLoggingSteps());
        }
        b.saveDtype(saveDtype(h.getSaveDtype()));
        try {
            return b.build();
        } catch (InvalidConfigException e) {
            // the engine calls the list loss_type, the message loss_types
            if (e.field().equals("loss_type")) {
                throw new InvalidConfigException("loss_types", problem(e));
            }
            throw e;
        }
    }

    /** Every field set explicitly, so the trainer needs none of its defaults. */
    public static TrainerHyperparameters toProto(TrainingConfig c) {
        TrainerHyperparameters.Builder b = TrainerHyperparameters.newBuilder()
                .addAllLossTypes(c.lossTypes().stream().map(LossType::wireName).toList())
                .addAllLossWeights(c.lossWeights())
                .setBeta(c.beta())
                .setLabelSmoothing(c.labelSmoothing())
                .setSimpoGamma(c.simpoGamma())
                .setDiscopopTau(c.discopopTau())
                .setUseWeighting(c.useWeighting())
                .setLearningRate(c.learningRate())
                .setWeightDecay(c.weightDecay())
                .setAdamBeta1(c.adamBeta1())
                .setAdamBeta2(c.adamBeta2())
                .setAdamEpsilon(c.adamEpsilon())
                .setMaxGradNorm(c.maxGradNorm())
                .setLrSchedulerType(c.scheduler().wireName())
                .setWarmupSteps(c.warmupSteps())
                .setWarmupRatio(c.warmupRatio())
                .setBatchSize(c.batchSize())
                .setGradientAccumulationSteps(c.gradientAccumulationSteps())
                .setMaxSteps(Math.max(0, c.maxSteps()))
                .setEpochs(c.epochs())
                .setSeed(c.seed())
                .setSaveSteps(c.saveSteps())
                .setSaveTotalLimit(c.saveTotalLimit())
                .setLoggingSteps(c.loggingSteps())
                .setSaveDtype(c.saveDtype() == null ? "" : c.saveDtype().name().toLowerCase(Locale.ROOT));
        if (c.ldAlpha() != null) {
            b.setLdAlpha(c.ldAlpha());
        }
        return b.build();
    }

    /** The message without its leading {@code field: }. */
    static String problem(InvalidConfigException e) {
        String prefix = e.field() + ": ";
        return e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
    }

    private static StorageDType saveDtype(String value) {
        if (value.isBlank()) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> StorageDType.F32;
            case "f16", "float16" -> StorageDType.F16;
            case "bf16", "bfloat16" -> StorageDType.BF16;
            default -> throw new InvalidConfigException("save_dtype", "expected f32, f16 or bf16 (or empty for the "
                    + "policy's own dtype), got '" + value + "'");
        };
    }
}
