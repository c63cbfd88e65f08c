package dev.jdpo.orchestrator.config;

import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.Precision;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.trainer.config.TrainingDefaults;
import dev.jdpo.trainer.data.DataOrder;

/**
 * Fills every unset field with the default documented in config.proto (training and output from
 * {@link TrainingDefaults}, the table the trainer shares), so a stored run keeps the values it started
 * with even if a later release changes a default. Epochs and batch size stay
 * unset when they are "auto": they depend on the data and are resolved by {@link HyperparameterResolver}.
 */
public final class RunConfigDefaults {

    /** Streaming reference scoring: scored pairs held ahead of the trainer by default, and at most. */
    public static final int DEFAULT_REFERENCE_WINDOW = 1024;
    public static final int MAX_REFERENCE_WINDOW = 1 << 20;

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
        if (data.getShuffleWindow() == 0) {
            data.setShuffleWindow(DataOrder.DEFAULT_WINDOW);
        }
        TrainingConfig.Builder training = b.getTrainingBuilder();
        if (!training.hasBeta() && config.getHyperparameters().getBeta().hasValue()) {
            training.setBeta(config.getHyperparameters().getBeta().getValue());
        }
        ReferenceConfig.Builder reference = b.getReferenceBuilder();
        if (reference.getMode() == ReferenceMode.REFERENCE_MODE_UNSPECIFIED) {
            reference.setMode(ReferenceMode.REFERENCE_MODE_PRECOMPUTE);
        }
        if (reference.getWindowPairs() == 0) {
            reference.setWindowPairs(DEFAULT_REFERENCE_WINDOW);
        }
        TrainingDefaults.fill(training);
        TrainingDefaults.fill(b.getOutputBuilder());
        if (b.hasEvaluation()) {
            TrainingDefaults.fill(b.getEvaluationBuilder());
        }
        return b.build();
    }
}
