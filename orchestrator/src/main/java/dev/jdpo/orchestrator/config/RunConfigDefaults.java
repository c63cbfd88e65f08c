package dev.jdpo.orchestrator.config;

import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.Precision;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import java.util.Collections;

/**
 * Fills every unset field with the default documented in config.proto, so a stored run keeps the
 * values it started with even if a later release changes a default. Epochs and batch size stay
 * unset when they are "auto": they depend on the data and are resolved by {@link HyperparameterResolver}.
 */
public final class RunConfigDefaults {

    public static final double BETA = 0.1;
    public static final double LEARNING_RATE = 1e-6;

    public RunConfig apply(RunConfig config) {
        RunConfig.Builder b = config.toBuilder();
        ModelConfig.Builder model = b.getModelBuilder();
        if (model.getPrecision() == Precision.PRECISION_UNSPECIFIED) {
            model.setPrecision(Precision.PRECISION_FP32);
        }
        if (model.getDevice().isEmpty()) {
            model.setDevice("auto");
        }
        DataConfig.Builder data = b.getDataBuilder();
        if (!data.hasValidationSplit()) {
            data.setValidationSplit(0);
        }
        if (data.getFormat().isEmpty()) {
            data.setFormat("auto");
        }
        applyTraining(b.getTrainingBuilder(), config);
        OutputConfig.Builder output = b.getOutputBuilder();
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
        return b.build();
    }

    private static void applyTraining(TrainingConfig.Builder t, RunConfig config) {
        if (t.getLossTypesCount() == 0) {
            t.addLossTypes("sigmoid");
        }
        if (t.getLossWeightsCount() == 0) {
            t.addAllLossWeights(Collections.nCopies(t.getLossTypesCount(), 1.0));
        }
        if (!t.hasBeta()) {
            var beta = config.getHyperparameters().getBeta();
            t.setBeta(beta.hasValue() ? beta.getValue() : BETA);
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
            t.setLearningRate(LEARNING_RATE);
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
            t.setSeed(42);
        }
    }
}
