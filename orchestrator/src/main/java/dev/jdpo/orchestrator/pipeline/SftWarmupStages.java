package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.v1.LoraConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.SftWarmup;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.checkpoint.TrainerState;
import dev.jdpo.trainer.config.TrainingDefaults;
import dev.jdpo.trainer.config.TrainingMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two stages of a DPO run with {@code training.sft_warmup}, as run configs of their own: SFT on the preferred
 * answers into {@code <output_dir>/sft/}, then DPO from {@code sft/final} as both the policy start and the
 * reference (under LoRA: the SFT adapter, continued, on the same base).
 */
final class SftWarmupStages {

    private SftWarmupStages() { }

    static Path sftDir(RunConfig config) {
        return Path.of(config.getOutput().getOutputDir()).resolve("sft");
    }

    /** The SFT result, complete once the stage wrote it. */
    static Path sftResult(RunConfig config) {
        return sftDir(config).resolve("final");
    }

    static boolean sftDone(RunConfig config) {
        return Files.isDirectory(sftResult(config));
    }

    /** Stage 1's run: the same data and model, writing to {@code sft/}. */
    static RunConfig sftConfig(RunConfig config) {
        RunConfig.Builder stage = config.toBuilder();
        stage.getModelBuilder().clearReference();
        stage.getOutputBuilder().setOutputDir(sftDir(config).toString()).clearResumeFromCheckpoint();
        return stage.setTraining(sftTraining(config.getTraining())).build();
    }

    /**
     * Stage 1's training settings from the run's resolved ones: method sft with the warm-up's length and learning
     * rate; the preference-only settings are dropped.
     */
    static TrainingConfig sftTraining(TrainingConfig resolved) {
        SftWarmup warmup = resolved.getSftWarmup();
        TrainingConfig.Builder sft = resolved.toBuilder().setMethod(TrainingMethod.SFT.wireName())
                .clearLossTypes().clearLossWeights().clearUseWeighting().clearLdAlpha().clearSftWarmup()
                .setLearningRate(warmup.hasLearningRate() ? warmup.getLearningRate()
                        : TrainingDefaults.SFT_LEARNING_RATE);
        if (warmup.hasSteps()) {
            sft.setMaxSteps(warmup.getSteps());
        } else {
            sft.setEpochs(warmup.getEpochs()).setMaxSteps(0);
        }
        if (resolved.hasLora()) {
            sft.getLoraBuilder().clearMergeAtEnd();
        }
        return sft.build();
    }

    /** Stage 2's run: DPO starting from the SFT result, which the default reference (the starting policy) then is. */
    static RunConfig dpoConfig(RunConfig config) {
        RunConfig.Builder stage = config.toBuilder();
        stage.getTrainingBuilder().clearSftWarmup();
        String result = sftResult(config).toString();
        if (config.getTraining().hasLora()) {
            LoraConfig lora = config.getTraining().getLora();
            stage.getTrainingBuilder().setLora(LoraConfig.newBuilder().setAdapter(result)
                    .setMergeAtEnd(lora.getMergeAtEnd()));
        } else {
            stage.getModelBuilder().setPolicy(result);
        }
        stage.getModelBuilder().clearReference();
        return stage.build();
    }

    /** Optimizer steps stage 1 took: its last checkpoint's, which it saves at its last step. */
    static long sftSteps(RunConfig config) throws RunFailure {
        try {
            Path last = Checkpoints.latest(sftDir(config)).orElseThrow(() -> new RunFailure("checkpoint_error",
                    sftDir(config) + " holds the SFT result but no checkpoint-N", "training.sft_warmup"));
            return TrainerState.read(last).globalStep();
        } catch (IOException | CheckpointException unreadable) {
            throw new RunFailure("checkpoint_error", "the SFT stage's checkpoints in " + sftDir(config)
                    + " cannot be read: " + unreadable.getMessage(), "training.sft_warmup");
        }
    }
}
