package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.model.StorageDType;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.trainer.config.SchedulerType;
import java.util.Locale;

/** A run config with resolved hyperparameters as the trainer's own {@link dev.jdpo.trainer.config.TrainingConfig}. */
final class TrainerConfigs {

    private TrainerConfigs() {
    }

    /** Stand-in resolved values (1 epoch, batch 1, the configured rate and beta) for checking a config early. */
    static ResolvedHyperparameters unresolved(RunConfig config) {
        return ResolvedHyperparameters.newBuilder().setNEpochs(1).setBatchSize(1)
                .setBeta(config.getTraining().getBeta()).setLearningRate(config.getTraining().getLearningRate())
                .setLearningRateMultiplier(1).build();
    }

    /** @throws dev.jdpo.trainer.config.InvalidConfigException naming the trainer's field */
    static dev.jdpo.trainer.config.TrainingConfig of(RunConfig config, ResolvedHyperparameters resolved) {
        TrainingConfig t = config.getTraining();
        OutputConfig output = config.getOutput();
        dev.jdpo.trainer.config.TrainingConfig.Builder b = dev.jdpo.trainer.config.TrainingConfig.builder()
                .lossTypes(t.getLossTypesList())
                .lossWeights(t.getLossWeightsList())
                .beta(resolved.getBeta())
                .labelSmoothing(t.getLabelSmoothing())
                .simpoGamma(t.getSimpoGamma())
                .discopopTau(t.getDiscopopTau())
                .ldAlpha(t.hasLdAlpha() ? t.getLdAlpha() : null)
                .useWeighting(t.getUseWeighting())
                .learningRate(resolved.getLearningRate())
                .weightDecay(t.getWeightDecay())
                .maxGradNorm(t.getMaxGradNorm())
                .scheduler(SchedulerType.parse("training.lr_scheduler", t.getLrScheduler()))
                .warmupSteps(t.hasWarmupSteps() ? Math.toIntExact(t.getWarmupSteps()) : 0)
                .warmupRatio(t.hasWarmupRatio() ? t.getWarmupRatio() : 0)
                .batchSize(resolved.getBatchSize())
                .gradientAccumulationSteps(t.getGradientAccumulationSteps())
                .maxSteps(t.getMaxSteps() > 0 ? Math.toIntExact(t.getMaxSteps()) : -1)
                .epochs(resolved.getNEpochs())
                .seed(t.getSeed())
                .saveSteps(Math.toIntExact(output.getCheckpointInterval()))
                .saveTotalLimit(output.getSaveTotalLimit())
                .loggingSteps(Math.toIntExact(output.getLogInterval()));
        if (!output.getSaveDtype().isEmpty()) {
            b.saveDtype(StorageDType.valueOf(output.getSaveDtype().toUpperCase(Locale.ROOT)));
        }
        return b.build();
    }
}
