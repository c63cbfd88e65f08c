package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.TrainingConfig;
import java.nio.file.Path;
import java.util.Locale;

/** Jobs for the tiny policy fixture, with every setting of an engine config spelled out on the wire. */
final class TrainJobs {

    private TrainJobs() { }

    static TrainJob.Builder job(String runId, Path outputDir, TrainingConfig config) {
        return TrainJob.newBuilder()
                .setRunId(runId)
                .setPolicyPath(Fixtures.policyDir().toString())
                .setTraining(training(config))
                .setOutput(output(config).setOutputDir(outputDir.toString()).setEvalInterval(0))
                .setPadId(Fixtures.PAD_ID)
                .setDevice("cpu");
    }

    /** The run API's training settings of {@code c} (the engine's AdamW betas and epsilon are not among them). */
    static dev.jdpo.proto.v1.TrainingConfig training(TrainingConfig c) {
        dev.jdpo.proto.v1.TrainingConfig.Builder b = dev.jdpo.proto.v1.TrainingConfig.newBuilder()
                .addAllLossTypes(c.lossTypes().stream().map(LossType::wireName).toList())
                .addAllLossWeights(c.lossWeights())
                .setBeta(c.beta())
                .setLabelSmoothing(c.labelSmoothing())
                .setSimpoGamma(c.simpoGamma())
                .setDiscopopTau(c.discopopTau())
                .setUseWeighting(c.useWeighting())
                .setLearningRate(c.learningRate())
                .setWeightDecay(c.weightDecay())
                .setMaxGradNorm(c.maxGradNorm())
                .setLrScheduler(c.scheduler().wireName())
                .setWarmupSteps(c.warmupSteps())
                .setWarmupRatio(c.warmupRatio())
                .setBatchSize(c.batchSize())
                .setGradientAccumulationSteps(c.gradientAccumulationSteps())
                .setMaxSteps(Math.max(0, c.maxSteps()))
                .setEpochs(c.epochs())
                .setSeed(c.seed());
        if (c.ldAlpha() != null) {
            b.setLdAlpha(c.ldAlpha());
        }
        return b.build();
    }

    /** The checkpoint and logging cadence of {@code c}. */
    static OutputConfig.Builder output(TrainingConfig c) {
        return OutputConfig.newBuilder()
                .setCheckpointInterval(c.saveSteps())
                .setSaveTotalLimit(c.saveTotalLimit())
                .setLogInterval(c.loggingSteps())
                .setSaveDtype(c.saveDtype() == null ? "" : c.saveDtype().name().toLowerCase(Locale.ROOT));
    }
}
