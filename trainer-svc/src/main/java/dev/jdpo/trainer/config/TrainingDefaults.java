package dev.jdpo.trainer.config;

import dev.jdpo.proto.v1.EvaluationConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import java.util.Collections;
import java.util.List;

/**
 * The defaults of the run API's training and output settings, as config.proto documents them: the one table the
 * orchestrator fills a submitted run from and the trainer service fills a job from.
 */
public final class TrainingDefaults {

    public static final double BETA = 0.1;
    public static final double LEARNING_RATE = 1e-6;
    /** TRL's SFTConfig learning rate, the default of method sft and of an SFT warm-up stage. */
    public static final double SFT_LEARNING_RATE = 2e-5;
    /** What an unresolved n_epochs ("auto") starts from. */
    public static final int EPOCHS = 3;
    /** The largest batch an unresolved batch_size ("auto") gives. */
    public static final int BATCH_SIZE = 8;
    public static final long SEED = 42;
    /** PEFT's defaults for a new LoRA adapter. */
    public static final int LORA_R = 8;
    public static final double LORA_ALPHA = 8;
    public static final List<String> LORA_TARGET_MODULES = List.of("q_proj", "v_proj");

    private TrainingDefaults() { }

    /**
     * Fills every unset field except {@code epochs} and {@code batch_size}, which stay "auto" until the data is
     * counted.
     */
    public static void fill(TrainingConfig.Builder t) {
        boolean sft = TrainingMethod.isSft(t.getMethod());
        if (t.getLossTypesCount() == 0) {
            t.addLossTypes(sft ? "sft" : "sigmoid");
        }
        if (t.getLossWeightsCount() == 0) {
            t.addAllLossWeights(Collections.nCopies(t.getLossTypesCount(), 1.0));
        }
        if (!t.hasBeta()) {
            t.setBeta(BETA);
        }
        if (!t.hasLabelSmoothing()) {
            t.setLabelSmoothing(0);
        }
        if (!t.hasSimpoGamma()) {
            t.setSimpoGamma(0.5);
        }
        if (!t.hasUseWeighting()) {
            t.setUseWeighting(false);
        }
        if (!t.hasDiscopopTau()) {
            t.setDiscopopTau(0.05);
        }
        if (!t.hasLearningRate()) {
            t.setLearningRate(sft ? SFT_LEARNING_RATE : LEARNING_RATE);
        }
        if (t.getLrScheduler().isEmpty()) {
            t.setLrScheduler("linear");
        }
        if (!t.hasWarmupSteps() && !t.hasWarmupRatio()) {
            t.setWarmupRatio(0.1);
        }
        if (!t.hasWeightDecay()) {
            t.setWeightDecay(0);
        }
        if (!t.hasMaxGradNorm()) {
            t.setMaxGradNorm(1.0);
        }
        if (!t.hasMaxSteps()) {
            t.setMaxSteps(0);
        }
        if (!t.hasGradientAccumulationSteps()) {
            t.setGradientAccumulationSteps(1);
        }
        if (!t.hasReferenceBatchSize()) {
            t.setReferenceBatchSize(16);
        }
        if (!t.hasMaxLength()) {
            t.setMaxLength(1024);
        }
        if (!t.hasSeed()) {
            t.setSeed(SEED);
        }
    }

    /** Fills the checkpoint, evaluation and logging cadence. */
    public static void fill(OutputConfig.Builder output) {
        if (!output.hasCheckpointInterval()) {
            output.setCheckpointInterval(100);
        }
        if (!output.hasEvalInterval()) {
            output.setEvalInterval(100);
        }
        if (!output.hasLogInterval()) {
            output.setLogInterval(10);
        }
        if (!output.hasSaveTotalLimit()) {
            output.setSaveTotalLimit(0);
        }
    }

    /** Fills the in-run evaluation's prompt count, answer length, samples, temperature and batch size. */
    public static void fill(EvaluationConfig.Builder evaluation) {
        if (!evaluation.hasMaxPrompts()) {
            evaluation.setMaxPrompts(32);
        }
        if (!evaluation.hasMaxNewTokens()) {
            evaluation.setMaxNewTokens(64);
        }
        if (!evaluation.hasSamplesPerEval()) {
            evaluation.setSamplesPerEval(3);
        }
        if (!evaluation.hasTemperature()) {
            evaluation.setTemperature(0);
        }
        if (!evaluation.hasBatchSize()) {
            evaluation.setBatchSize(8);
        }
    }
}
