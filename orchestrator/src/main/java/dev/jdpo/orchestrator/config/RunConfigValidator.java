package dev.jdpo.orchestrator.config;

import dev.jdpo.proto.v1.AutoDouble;
import dev.jdpo.proto.v1.AutoInt;
import dev.jdpo.evaluation.criteria.Criteria;
import dev.jdpo.evaluation.criteria.InvalidCriteriaException;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.EvaluationConfig;
import dev.jdpo.proto.v1.Hyperparameters;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.SampledPairs;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.proto.v1.SftWarmup;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.ProtoTrainingConfig;
import dev.jdpo.trainer.config.TrainingMethod;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a submitted run config field by field (required fields, ranges, consistency), before defaults. */
public final class RunConfigValidator {

    private static final Set<String> FORMATS = formats();
    private static final Set<String> SCHEDULERS = Set.of("", "constant", "linear", "cosine");
    private static final Set<String> METHODS = Set.of("", "sft", "dpo");
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
        if (config.getTraining().hasSftWarmup() && !config.getModel().getReference().isEmpty()) {
            found.add(new ConfigViolation("model.reference", "the SFT result is the reference under "
                    + "training.sft_warmup; leave it unset"));
        }
        checkHyperparameters(config.getHyperparameters(), config.getTraining(), found);
        checkOutput(config.getOutput(), found);
        checkServices(config.getServices(), found);
        if (config.hasEvaluation()) {
            checkEvaluation(config.getEvaluation(), config.getData(), found);
        }
        int window = config.getReference().getWindowPairs();
        if (window < 0 || window > RunConfigDefaults.MAX_REFERENCE_WINDOW) {
            found.add(new ConfigViolation("reference.window_pairs", "must be in [0, "
                    + RunConfigDefaults.MAX_REFERENCE_WINDOW + "], got " + window));
        }
        if (config.getReference().getMode() == ReferenceMode.REFERENCE_MODE_STREAMING
                && config.getTraining().hasSftWarmup()) {
            found.add(new ConfigViolation("reference.mode", "streaming does not run training.sft_warmup's two "
                    + "stages; use precompute (the default)"));
        }
        if (!found.isEmpty()) {
            throw new InvalidConfigException(found);
        }
    }

    private static void checkData(DataConfig data, List<ConfigViolation> found) {
        if (data.hasSampledPairs()) {
            if (!data.getTrainingFile().isBlank()) {
                found.add(new ConfigViolation("data.sampled_pairs", "set either data.training_file or "
                        + "data.sampled_pairs, not both"));
            }
            checkSampledPairs(data.getSampledPairs(), found);
        } else if (data.getTrainingFile().isBlank()) {
            found.add(new ConfigViolation("data.training_file", "required: a file of preference pairs "
                    + "(or data.sampled_pairs)"));
        }
        if (data.getShuffleWindow() < 0) {
            found.add(new ConfigViolation("data.shuffle_window", "must be >= 0, got " + data.getShuffleWindow()));
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

    private static void checkSampledPairs(SampledPairs sampled, List<ConfigViolation> found) {
        if (sampled.getPromptsFile().isBlank()) {
            found.add(new ConfigViolation("data.sampled_pairs.prompts_file", "required: a JSONL file of prompts"));
        }
        if (sampled.getCriteriaFile().isBlank()) {
            found.add(new ConfigViolation("data.sampled_pairs.criteria_file", "required: a criteria file"));
        }
        if (sampled.getNumSamples() < 2) {
            found.add(new ConfigViolation("data.sampled_pairs.num_samples",
                    "must be at least 2 to make a pair, got " + sampled.getNumSamples()));
        }
        if (sampled.hasTemperature() && !(sampled.getTemperature() > 0)) {
            found.add(new ConfigViolation("data.sampled_pairs.temperature",
                    "must be > 0, got " + number(sampled.getTemperature())));
        }
        if (sampled.hasTopP() && !(sampled.getTopP() > 0 && sampled.getTopP() <= 1)) {
            found.add(new ConfigViolation("data.sampled_pairs.top_p", "must be in (0, 1], got "
                    + number(sampled.getTopP())));
        }
        if (sampled.hasMaxNewTokens() && sampled.getMaxNewTokens() <= 0) {
            found.add(new ConfigViolation("data.sampled_pairs.max_new_tokens",
                    "must be positive, got " + sampled.getMaxNewTokens()));
        }
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
            fitsInt("training.warmup_steps", t.getWarmupSteps(), found);
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
            fitsInt("training.max_steps", t.getMaxSteps(), found);
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
        checkMethod(t, found);
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

    /** training.method and what it allows: sft trains one loss and has no pairs to weight; sft_warmup is DPO's. */
    private static void checkMethod(TrainingConfig t, List<ConfigViolation> found) {
        oneOf("training.method", t.getMethod(), METHODS, found);
        boolean sft = TrainingMethod.isSft(t.getMethod());
        if (sft && !(t.getLossTypesCount() == 0 || t.getLossTypesList().equals(List.of("sft")))) {
            found.add(new ConfigViolation("training.loss_types", "method sft trains with the sft loss only; leave it "
                    + "unset or set [sft], got " + t.getLossTypesList()));
        }
        if (sft && t.getUseWeighting()) {
            found.add(new ConfigViolation("training.use_weighting", "weights preference pairs; method sft has none"));
        }
        if (sft && t.hasLdAlpha()) {
            found.add(new ConfigViolation("training.ld_alpha", "weights preference pairs; method sft has none"));
        }
        if (!t.hasSftWarmup()) {
            return;
        }
        SftWarmup warmup = t.getSftWarmup();
        if (sft) {
            found.add(new ConfigViolation("training.sft_warmup", "is a stage before DPO; method sft has none"));
        }
        if (warmup.hasEpochs() == warmup.hasSteps()) {
            found.add(new ConfigViolation("training.sft_warmup", "set exactly one of epochs and steps"));
        }
        if (warmup.hasEpochs()) {
            atLeast("training.sft_warmup.epochs", warmup.getEpochs(), 1, found);
        }
        if (warmup.hasSteps()) {
            atLeast("training.sft_warmup.steps", warmup.getSteps(), 1, found);
        }
        if (warmup.hasLearningRate()) {
            positive("training.sft_warmup.learning_rate", warmup.getLearningRate(), found);
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
            fitsInt("output.checkpoint_interval", output.getCheckpointInterval(), found);
        }
        if (output.hasEvalInterval()) {
            atLeast("output.eval_interval", output.getEvalInterval(), 0, found);
            fitsInt("output.eval_interval", output.getEvalInterval(), found);
        }
        if (output.hasLogInterval()) {
            atLeast("output.log_interval", output.getLogInterval(), 1, found);
            fitsInt("output.log_interval", output.getLogInterval(), found);
        }
        if (output.hasSaveTotalLimit()) {
            atLeast("output.save_total_limit", output.getSaveTotalLimit(), 0, found);
        }
        oneOf("output.save_dtype", output.getSaveDtype(), SAVE_DTYPES, found);
    }

    /**
     * The criteria through the one validator {@code jdpo evaluate} uses, minus what would let a run config reach
     * beyond its data: a {@code command} (a program run on the trainer's machine by whoever may submit runs) and a
     * {@code schema_file} (a file read outside the allowed roots); a schema goes inline.
     */
    private static void checkEvaluation(EvaluationConfig evaluation, DataConfig data, List<ConfigViolation> found) {
        int before = found.size();
        for (int i = 0; i < evaluation.getCriteriaCount(); i++) {
            String path = "evaluation.criteria[" + i + "].";
            Criteria.reachingField(evaluation.getCriteria(i)).ifPresent(field -> found.add(new ConfigViolation(
                    path + field, field.equals("command") ? "not allowed in a run config: it would run a program on "
                    + "the trainer's machine; use jdpo evaluate for command criteria"
                    : "not allowed in a run config; give the schema inline (json.schema)")));
        }
        try {
            if (found.size() == before) {
                // checked only once nothing refused is left, which it would otherwise start or read
                Criteria.checkers(evaluation.getCriteriaList(), Path.of("").toAbsolutePath());
            }
        } catch (InvalidCriteriaException e) {
            String message = e.getMessage();
            int colon = message.indexOf(':');
            found.add(colon > 0 ? new ConfigViolation("evaluation." + message.substring(0, colon),
                    message.substring(colon + 1).trim()) : new ConfigViolation("evaluation.criteria", message));
        }
        if (evaluation.hasMaxPrompts()) {
            atLeast("evaluation.max_prompts", evaluation.getMaxPrompts(), 1, found);
        }
        if (evaluation.hasMaxNewTokens()) {
            atLeast("evaluation.max_new_tokens", evaluation.getMaxNewTokens(), 1, found);
        }
        if (evaluation.hasSamplesPerEval()) {
            atLeast("evaluation.samples_per_eval", evaluation.getSamplesPerEval(), 0, found);
        }
        if (evaluation.hasTemperature()) {
            atLeast("evaluation.temperature", evaluation.getTemperature(), 0, found);
        }
        if (evaluation.hasBatchSize()) {
            atLeast("evaluation.batch_size", evaluation.getBatchSize(), 1, found);
        }
        if (evaluation.getPromptsFile().isBlank() && data.getValidationFile().isBlank()
                && !(data.getValidationSplit() > 0)) {
            found.add(new ConfigViolation("evaluation.prompts_file", "required when the run has no validation "
                    + "pairs (data.validation_file or data.validation_split): no prompts to evaluate on"));
        }
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

    /** Step counts travel as int64 but the trainer counts steps in 32 bits; 2^63-1 once failed mid-run. */
    private static void fitsInt(String field, long value, List<ConfigViolation> found) {
        if (value > Integer.MAX_VALUE) {
            found.add(new ConfigViolation(field, "must be <= " + Integer.MAX_VALUE + ", got " + value));
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
