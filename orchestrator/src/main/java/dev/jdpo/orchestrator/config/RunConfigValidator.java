package dev.jdpo.orchestrator.config;

import dev.jdpo.proto.v1.AutoDouble;
import dev.jdpo.proto.v1.AutoInt;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.Hyperparameters;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.ProtoTrainingConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a submitted run config field by field (required fields, ranges, consistency), before defaults. */
public final class RunConfigValidator {

    private static final Set<String> FORMATS = formats();
    private static final Set<String> SCHEDULERS = Set.of("", "constant", "linear", "cosine");
    private static final Set<String> SAVE_DTYPES = Set.of("", "f32", "f16", "bf16");
    private static final int MAX_NAME_LENGTH = 128;
    /** The trainer's losses, TRL's spelling. */
    private static final List<String> LOSS_TYPES =
            Arrays.stream(LossType.values()).map(LossType::wireName).sorted().toList();

    /** Throws with every violation found, so a user fixes a config in one round trip. */
    public void validate(RunConfig config) throws InvalidConfigException {
        List<ConfigViolation> found = new ArrayList<>();
        if (config.getName().length() > MAX_NAME_LENGTH) {
            found.add(new ConfigViolation("name", "must be at most " + MAX_NAME_LENGTH + " characters, got "
                    + config.getName().length()));
        }
        if (config.getModel().getPolicy().isBlank()) {
            found.add(new ConfigViolation("model.policy", "required: a Hugging Face model directory"));
        }
        String device = config.getModel().getDevice();
        if (!device.isEmpty() && !device.matches("auto|cpu|gpu|gpu:\\d+")) {
            found.add(new ConfigViolation("model.device", "expected auto, cpu, gpu or gpu:N, got \"" + device + "\""));
        }
        checkData(config.getData(), found);
        checkTraining(config.getTraining(), found);
        checkHyperparameters(config.getHyperparameters(), config.getTraining(), found);
        checkOutput(config.getOutput(), found);
        checkServices(config.getServices(), found);
        if (!found.isEmpty()) {
            throw new InvalidConfigException(found);
        }
    }

    private static void checkData(DataConfig data, List<ConfigViolation> found) {
        if (data.getTrainingFile().isBlank()) {
            found.add(new ConfigViolation("data.training_file", "required: a file of preference pairs"));
        }
        if (data.hasValidationSplit()) {
            double split = data.getValidationSplit();
            if (!(split >= 0 && split < 0.5)) {
                found.add(new ConfigViolation("data.validation_split", "must be in [0, 0.5), got " + number(split)));
            } else if (split > 0 && !data.getValidationFile().isBlank()) {
                found.add(new ConfigViolation("data.validation_split",
                        "must be 0 or unset when data.validation_file is given"));
            }
        }
        oneOf("data.format", data.getFormat(), FORMATS, found);
    }

    private static void checkTraining(TrainingConfig t, List<ConfigViolation> found) {
        for (int i = 0; i < t.getLossTypesCount(); i++) {
            if (!LOSS_TYPES.contains(t.getLossTypes(i))) {
                found.add(new ConfigViolation("training.loss_types[" + i + "]",
                        "unknown loss \"" + t.getLossTypes(i) + "\"; known: " + LOSS_TYPES));
            }
        }
        if (t.getLossWeightsCount() > 0 && t.getLossWeightsCount() != Math.max(1, t.getLossTypesCount())) {
            found.add(new ConfigViolation("training.loss_weights", "must have one weight per loss type ("
                    + Math.max(1, t.getLossTypesCount()) + "), got " + t.getLossWeightsCount()));
        }
        for (int i = 0; i < t.getLossWeightsCount(); i++) {
            if (!Double.isFinite(t.getLossWeights(i))) {
                found.add(new ConfigViolation("training.loss_weights[" + i + "]", "must be finite"));
            }
        }
        if (t.hasBeta()) {
            positive("training.beta", t.getBeta(), found);
        }
        if (t.hasLabelSmoothing()) {
            halfOpen("training.label_smoothing", t.getLabelSmoothing(), 0, 0.5, found);
        }
        if (t.getLossTypesList().contains("exo_pair") && !(t.getLabelSmoothing() > 0)) {
            found.add(new ConfigViolation("training.label_smoothing", "must be > 0 with loss exo_pair (e.g. 0.001)"));
        }
        if (t.hasSimpoGamma()) {
            atLeast("training.simpo_gamma", t.getSimpoGamma(), 0, found);
        }
        if (t.hasLdAlpha() && !(t.getLdAlpha() >= 0 && t.getLdAlpha() <= 1)) {
            found.add(new ConfigViolation("training.ld_alpha", "must be in [0, 1], got " + number(t.getLdAlpha())));
        }
        if (t.hasDiscopopTau()) {
            positive("training.discopop_tau", t.getDiscopopTau(), found);
        }
        if (t.hasLearningRate()) {
            positive("training.learning_rate", t.getLearningRate(), found);
        }
        oneOf("training.lr_scheduler", t.getLrScheduler(), SCHEDULERS, found);
        if (t.hasWarmupSteps()) {
            atLeast("training.warmup_steps", t.getWarmupSteps(), 0, found);
        }
        if (t.hasWarmupRatio()) {
            halfOpen("training.warmup_ratio", t.getWarmupRatio(), 0, 1, found);
        }
        if (t.hasWeightDecay()) {
            atLeast("training.weight_decay", t.getWeightDecay(), 0, found);
        }
        if (t.hasMaxGradNorm()) {
            atLeast("training.max_grad_norm", t.getMaxGradNorm(), 0, found);
        }
        if (t.hasEpochs()) {
            atLeast("training.epochs", t.getEpochs(), 1, found);
        }
        if (t.hasMaxSteps()) {
            atLeast("training.max_steps", t.getMaxSteps(), 0, found);
        }
        if (t.hasBatchSize()) {
            atLeast("training.batch_size", t.getBatchSize(), 1, found);
        }
        if (t.hasGradientAccumulationSteps()) {
            atLeast("training.gradient_accumulation_steps", t.getGradientAccumulationSteps(), 1, found);
        }
        if (t.hasReferenceBatchSize()) {
            atLeast("training.reference_batch_size", t.getReferenceBatchSize(), 1, found);
        }
        if (t.hasMaxLength()) {
            atLeast("training.max_length", t.getMaxLength(), 2, found);
        }
        try {
            ProtoTrainingConfig.lora(t);
        } catch (dev.jdpo.trainer.config.InvalidConfigException e) {
            found.add(new ConfigViolation(e.field(), e.getMessage().substring(e.field().length() + 2)));
        }
        try {
            ProtoTrainingConfig.lossScaling(t);
        } catch (dev.jdpo.trainer.config.InvalidConfigException e) {
            found.add(new ConfigViolation(e.field(), e.getMessage().substring(e.field().length() + 2)));
        }
        if (t.hasMaxPromptLength()) {
            atLeast("training.max_prompt_length", t.getMaxPromptLength(), 1, found);
            if (t.hasMaxLength() && t.getMaxPromptLength() >= t.getMaxLength()) {
                found.add(new ConfigViolation("training.max_prompt_length", "must be < training.max_length ("
                        + t.getMaxLength() + "), got " + t.getMaxPromptLength()));
            }
        }
    }

    private static void checkHyperparameters(Hyperparameters h, TrainingConfig t, List<ConfigViolation> found) {
        if (h.getNEpochs().hasValue()) {
            atLeast("hyperparameters.n_epochs", h.getNEpochs().getValue(), 1, found);
            conflict("hyperparameters.n_epochs", h.getNEpochs(), t.hasEpochs(), t.getEpochs(), "training.epochs", found);
        }
        if (h.getBatchSize().hasValue()) {
            atLeast("hyperparameters.batch_size", h.getBatchSize().getValue(), 1, found);
            conflict("hyperparameters.batch_size", h.getBatchSize(), t.hasBatchSize(), t.getBatchSize(),
                    "training.batch_size", found);
        }
        if (h.getLearningRateMultiplier().hasValue()) {
            positive("hyperparameters.learning_rate_multiplier", h.getLearningRateMultiplier().getValue(), found);
        }
        if (h.getBeta().hasValue()) {
            positive("hyperparameters.beta", h.getBeta().getValue(), found);
            conflict("hyperparameters.beta", h.getBeta(), t.hasBeta(), t.getBeta(), found);
        }
    }

    private static void conflict(String field, AutoInt given, boolean nativeSet, long nativeValue, String nativeField,
                                 List<ConfigViolation> found) {
        if (nativeSet && given.getValue() != nativeValue) {
            found.add(new ConfigViolation(field, "is " + given.getValue() + " but " + nativeField + " is "
                    + nativeValue + "; set one of them"));
        }
    }

    private static void conflict(String field, AutoDouble given, boolean nativeSet, double nativeValue,
                                 List<ConfigViolation> found) {
        if (nativeSet && given.getValue() != nativeValue) {
            found.add(new ConfigViolation(field, "is " + number(given.getValue()) + " but training.beta is "
                    + number(nativeValue) + "; set one of them"));
        }
    }

    private static void checkOutput(OutputConfig output, List<ConfigViolation> found) {
        if (output.getOutputDir().isBlank()) {
            found.add(new ConfigViolation("output.output_dir", "required: where the aligned model is written"));
        }
        if (output.hasCheckpointInterval()) {
            atLeast("output.checkpoint_interval", output.getCheckpointInterval(), 0, found);
        }
        if (output.hasEvalInterval()) {
            atLeast("output.eval_interval", output.getEvalInterval(), 0, found);
        }
        if (output.hasLogInterval()) {
            atLeast("output.log_interval", output.getLogInterval(), 1, found);
        }
        if (output.hasSaveTotalLimit()) {
            atLeast("output.save_total_limit", output.getSaveTotalLimit(), 0, found);
        }
        oneOf("output.save_dtype", output.getSaveDtype(), SAVE_DTYPES, found);
    }

    private static void checkServices(ServicesConfig services, List<ConfigViolation> found) {
        for (int i = 0; i < services.getReferenceAddressesCount(); i++) {
            hostPort("services.reference_addresses[" + i + "]", services.getReferenceAddresses(i), found);
        }
        if (!services.getTrainerAddress().isEmpty()) {
            hostPort("services.trainer_address", services.getTrainerAddress(), found);
        }
        if (!services.getTokenizerAddress().isEmpty()) {
            hostPort("services.tokenizer_address", services.getTokenizerAddress(), found);
        }
        if (services.hasUnavailableRetries()) {
            atLeast("services.unavailable_retries", services.getUnavailableRetries(), 0, found);
        }
        if (services.hasRetryBackoffMs()) {
            atLeast("services.retry_backoff_ms", services.getRetryBackoffMs(), 1, found);
        }
    }

    private static void hostPort(String field, String address, List<ConfigViolation> found) {
        int colon = address.lastIndexOf(':');
        boolean valid = colon > 0 && colon < address.length() - 1;
        if (valid) {
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                valid = port > 0 && port < 65536;
            } catch (NumberFormatException notAPort) {
                valid = false;
            }
        }
        if (!valid) {
            found.add(new ConfigViolation(field, "expected host:port, got \"" + address + "\""));
        }
    }

    private static void oneOf(String field, String value, Set<String> allowed, List<ConfigViolation> found) {
        if (!allowed.contains(value)) {
            found.add(new ConfigViolation(field, "must be one of "
                    + allowed.stream().filter(s -> !s.isEmpty()).sorted().toList() + ", got \"" + value + "\""));
        }
    }

    private static void positive(String field, double value, List<ConfigViolation> found) {
        if (!(value > 0) || !Double.isFinite(value)) {
            found.add(new ConfigViolation(field, "must be > 0, got " + number(value)));
        }
    }

    private static void atLeast(String field, double value, double min, List<ConfigViolation> found) {
        if (!(value >= min) || !Double.isFinite(value)) {
            found.add(new ConfigViolation(field, "must be >= " + number(min) + ", got " + number(value)));
        }
    }

    private static void halfOpen(String field, double value, double min, double maxExclusive,
                                 List<ConfigViolation> found) {
        if (!(value >= min && value < maxExclusive)) {
            found.add(new ConfigViolation(field, "must be in [" + number(min) + ", " + number(maxExclusive)
                    + "), got " + number(value)));
        }
    }

    /** "auto" and the tokenizer's row layouts. */
    private static Set<String> formats() {
        Set<String> ids = new HashSet<>(List.of("", "auto"));
        Arrays.stream(DataFormat.values()).map(DataFormat::id).forEach(ids::add);
        return Set.copyOf(ids);
    }

    /** -1.0 prints as -1 and 1e-6 as 0.000001, the way a user wrote them. */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
