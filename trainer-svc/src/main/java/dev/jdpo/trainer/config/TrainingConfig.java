package dev.jdpo.trainer.config;

import dev.jdpo.model.StorageDType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Every hyperparameter of a DPO training run, validated on construction. Defaults follow TRL's DPOConfig and
 * transformers' TrainingArguments except where noted in {@link Builder}.
 *
 * @param lossTypes loss terms, summed with {@code lossWeights}
 * @param lossWeights one weight per loss term
 * @param beta temperature of the implicit reward (tau for IPO, lambda for ORPO)
 * @param labelSmoothing label-flip probability for sigmoid (cDPO), robust, exo_pair, aot and simpo
 * @param simpoGamma SimPO's target reward margin
 * @param discopopTau DiscoPOP's temperature
 * @param ldAlpha LD-DPO's weight of the tokens past the shared length; null turns LD-DPO off
 * @param useWeighting WPO weighting of each pair by the policy's own likelihood
 * @param learningRate peak AdamW learning rate
 * @param weightDecay decoupled weight decay (never applied to norms and biases)
 * @param adamBeta1 AdamW beta1
 * @param adamBeta2 AdamW beta2
 * @param adamEpsilon AdamW epsilon
 * @param maxGradNorm global gradient-norm clip; 0 turns clipping off
 * @param scheduler decay after warmup
 * @param warmupSteps linear warmup length in optimizer steps; 0 lets warmupRatio decide
 * @param warmupRatio warmup as a fraction of the total optimizer steps
 * @param batchSize pairs per micro-batch (per forward pass)
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param maxSteps when positive, the number of optimizer steps (overrides epochs)
 * @param epochs passes over the data when maxSteps is not positive
 * @param seed seed of the data order and of torch
 * @param saveSteps checkpoint every N optimizer steps; 0 saves only at the end
 * @param saveTotalLimit keep only the newest N intermediate checkpoints; 0 keeps all
 * @param loggingSteps report metrics every N optimizer steps
 * @param saveDtype dtype of saved model weights; null keeps the policy's source dtype
 * @param method preference optimization (dpo) or supervised fine-tuning of the chosen completions (sft)
 * @param lossScaling dynamic loss scaling, used when the policy trains in FP16
 * @param lora the LoRA adapter to train, or null to train every weight
 * @param gradientCheckpointing recompute each decoder layer in backward instead of keeping its activations
 */
public record TrainingConfig(
        List<LossType> lossTypes,
        List<Double> lossWeights,
        double beta,
        double labelSmoothing,
        double simpoGamma,
        double discopopTau,
        Double ldAlpha,
        boolean useWeighting,
        double learningRate,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        SchedulerType scheduler,
        int warmupSteps,
        double warmupRatio,
        int batchSize,
        int gradientAccumulationSteps,
        int maxSteps,
        int epochs,
        long seed,
        int saveSteps,
        int saveTotalLimit,
        int loggingSteps,
        StorageDType saveDtype,
        TrainingMethod method,
        LossScaling lossScaling,
        LoraTraining lora,
        boolean gradientCheckpointing) {

    public TrainingConfig {
        lossTypes = List.copyOf(lossTypes);
        lossWeights = List.copyOf(lossWeights);
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(lossScaling, "lossScaling");
        validate(lossTypes, lossWeights);
        if (method == TrainingMethod.SFT && !lossTypes.equals(List.of(LossType.SFT))) {
            throw new InvalidConfigException("training.loss_types", "method sft trains with the sft loss only; leave "
                    + "loss_types unset or set it to [sft], got " + lossTypes);
        }
        if (method == TrainingMethod.SFT && (useWeighting || ldAlpha != null)) {
            throw new InvalidConfigException(useWeighting ? "training.use_weighting" : "training.ld_alpha",
                    "weights preference pairs; method sft has none");
        }
        positive("training.beta", beta);
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new InvalidConfigException("training.label_smoothing", "must be in [0, 0.5), got "
                    + labelSmoothing);
        }
        if (lossTypes.contains(LossType.EXO_PAIR) && labelSmoothing == 0) {
            throw new InvalidConfigException("training.label_smoothing",
                    "exo_pair needs a value in (0, 0.5) (the paper uses 1e-3), got 0");
        }
        if (useWeighting && (lossTypes.contains(LossType.AOT) || lossTypes.contains(LossType.AOT_UNPAIRED))) {
            throw new InvalidConfigException("training.use_weighting", "cannot be combined with aot or aot_unpaired, "
                    + "whose sorted terms belong to no single pair (as in TRL)");
        }
        if (!(simpoGamma >= 0 && Double.isFinite(simpoGamma))) {
            throw new InvalidConfigException("training.simpo_gamma", "must be a finite number >= 0, got "
                    + simpoGamma);
        }
        positive("training.discopop_tau", discopopTau);
        if (ldAlpha != null && !(ldAlpha >= 0 && ldAlpha <= 1)) {
            throw new InvalidConfigException("training.ld_alpha", "must be in [0, 1], got " + ldAlpha);
        }
        positive("training.learning_rate", learningRate);
        nonNegative("training.weight_decay", weightDecay);
        unitInterval("training.adam_beta1", adamBeta1);
        unitInterval("training.adam_beta2", adamBeta2);
        positive("training.adam_epsilon", adamEpsilon);
        nonNegative("training.max_grad_norm", maxGradNorm);
        atLeast("training.warmup_steps", warmupSteps, 0);
        unitInterval("training.warmup_ratio", warmupRatio);
        atLeast("training.batch_size", batchSize, 1);
        atLeast("training.gradient_accumulation_steps", gradientAccumulationSteps, 1);
        if (maxSteps <= 0) {
            atLeast("training.epochs", epochs, 1);
        }
        atLeast("output.checkpoint_interval", saveSteps, 0);
        atLeast("output.save_total_limit", saveTotalLimit, 0);
        atLeast("output.log_interval", loggingSteps, 1);
        if (gradientCheckpointing && lora != null && lora.newAdapter() != null
                && lora.newAdapter().loraDropout() > 0) {
            throw new InvalidConfigException("training.gradient_checkpointing", "cannot be combined with "
                    + "training.lora.lora_dropout > 0: the recomputed layers would draw another dropout mask");
        }
    }

    /** TRL's defaults: sigmoid DPO, beta 0.1, lr 1e-6, linear decay, clip 1.0, batch 8, 3 epochs, seed 42. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether any loss term reads reference log-probs. */
    public boolean needsReference() {
        return lossTypes.stream().anyMatch(LossType::needsReference);
    }

    /** Whether this is an SFT run: only chosen completions are forwarded and the rejected ones are ignored. */
    public boolean sft() {
        return method == TrainingMethod.SFT;
    }

    /** Pairs per optimizer step when the data does not run out first. */
    public int pairsPerStep() {
        return batchSize * gradientAccumulationSteps;
    }

    private static void validate(List<LossType> types, List<Double> weights) {
        if (types.isEmpty()) {
            throw new InvalidConfigException("training.loss_types", "needs at least one loss");
        }
        if (weights.size() != types.size()) {
            throw new InvalidConfigException("training.loss_weights", "expected " + types.size()
                    + " values for training.loss_types " + types + ", got " + weights.size());
        }
        for (int i = 0; i < weights.size(); i++) {
            if (!Double.isFinite(weights.get(i))) {
                throw new InvalidConfigException("training.loss_weights", "value " + (i + 1) + " (for " + types.get(i)
                        + ") must be finite, got " + weights.get(i));
            }
        }
    }

    private static void positive(String field, double value) {
        if (!(value > 0 && Double.isFinite(value))) {
            throw new InvalidConfigException(field, "must be a finite number > 0, got " + value);
        }
    }

    private static void nonNegative(String field, double value) {
        if (!(value >= 0 && Double.isFinite(value))) {
            throw new InvalidConfigException(field, "must be a finite number >= 0, got " + value);
        }
    }

    private static void unitInterval(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidConfigException(field, "must be in [0, 1), got " + value);
        }
    }

    private static void atLeast(String field, long value, long min) {
        if (value < min) {
            throw new InvalidConfigException(field, "must be >= " + min + ", got " + value);
        }
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private List<String> lossTypes = List.of("sigmoid");
        private List<Double> lossWeights;
        private double beta = 0.1;
        private double labelSmoothing;
        private double simpoGamma = 0.5;
        private double discopopTau = 0.05;
        private Double ldAlpha;
        private boolean useWeighting;
        private double learningRate = 1e-6;
        private double weightDecay;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private SchedulerType scheduler = SchedulerType.LINEAR;
        private int warmupSteps;
        private double warmupRatio;
        private int batchSize = 8;
        private int gradientAccumulationSteps = 1;
        private int maxSteps = -1;
        private int epochs = 3;
        private long seed = 42;
        private int saveSteps = 500;
        private int saveTotalLimit;
        private int loggingSteps = 1;
        private StorageDType saveDtype;
        private TrainingMethod method = TrainingMethod.DPO;
        private LossScaling lossScaling = LossScaling.DEFAULT;
        private LoraTraining lora;
        private boolean gradientCheckpointing;

        private Builder() { }

        private Builder(TrainingConfig c) {
            lossTypes = c.lossTypes.stream().map(LossType::wireName).toList();
            lossWeights = c.lossWeights;
            beta = c.beta;
            labelSmoothing = c.labelSmoothing;
            simpoGamma = c.simpoGamma;
            discopopTau = c.discopopTau;
            ldAlpha = c.ldAlpha;
            useWeighting = c.useWeighting;
            learningRate = c.learningRate;
            weightDecay = c.weightDecay;
            adamBeta1 = c.adamBeta1;
            adamBeta2 = c.adamBeta2;
            adamEpsilon = c.adamEpsilon;
            maxGradNorm = c.maxGradNorm;
            scheduler = c.scheduler;
            warmupSteps = c.warmupSteps;
            warmupRatio = c.warmupRatio;
            batchSize = c.batchSize;
            gradientAccumulationSteps = c.gradientAccumulationSteps;
            maxSteps = c.maxSteps;
            epochs = c.epochs;
            seed = c.seed;
            saveSteps = c.saveSteps;
            saveTotalLimit = c.saveTotalLimit;
            loggingSteps = c.loggingSteps;
            saveDtype = c.saveDtype;
            method = c.method;
            lossScaling = c.lossScaling;
            lora = c.lora;
            gradientCheckpointing = c.gradientCheckpointing;
        }

        public Builder lossTypes(List<String> names) { lossTypes = List.copyOf(names); return this; }
        /** Null means 1.0 for every loss term. */
        public Builder lossWeights(List<Double> weights) {
            lossWeights = weights == null ? null : Collections.unmodifiableList(new ArrayList<>(weights));
            return this;
        }
        public Builder beta(double v) { beta = v; return this; }
        public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
        public Builder simpoGamma(double v) { simpoGamma = v; return this; }
        public Builder discopopTau(double v) { discopopTau = v; return this; }
        public Builder ldAlpha(Double v) { ldAlpha = v; return this; }
        public Builder useWeighting(boolean v) { useWeighting = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder adamBetas(double b1, double b2) { adamBeta1 = b1; adamBeta2 = b2; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder scheduler(SchedulerType v) { scheduler = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder saveSteps(int v) { saveSteps = v; return this; }
        public Builder saveTotalLimit(int v) { saveTotalLimit = v; return this; }
        public Builder loggingSteps(int v) { loggingSteps = v; return this; }
        public Builder saveDtype(StorageDType v) { saveDtype = v; return this; }
        public Builder method(TrainingMethod v) { method = v; return this; }
        public Builder lossScaling(LossScaling v) { lossScaling = v; return this; }
        /** Null (the default) trains every weight. */
        public Builder lora(LoraTraining v) { lora = v; return this; }
        public Builder gradientCheckpointing(boolean v) { gradientCheckpointing = v; return this; }

        /** Parses the loss names and validates every field; errors name the field. */
        public TrainingConfig build() {
            List<LossType> types = lossTypes.stream().map(LossType::parse).toList();
            List<Double> weights = lossWeights != null ? lossWeights : Collections.nCopies(types.size(), 1.0);
            return new TrainingConfig(types, weights, beta, labelSmoothing, simpoGamma, discopopTau, ldAlpha,
                    useWeighting, learningRate, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm,
                    scheduler, warmupSteps, warmupRatio, batchSize, gradientAccumulationSteps, maxSteps, epochs,
                    seed, saveSteps, saveTotalLimit, loggingSteps, saveDtype, method, lossScaling,
                    lora, gradientCheckpointing);
        }
    }
}
