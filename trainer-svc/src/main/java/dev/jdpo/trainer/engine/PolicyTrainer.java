package dev.jdpo.trainer.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Precision;
import dev.jdpo.model.tensor.ScalarOps;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.loss.StepNormalizer;
import dev.jdpo.trainer.optim.AdamW;
import dev.jdpo.trainer.optim.GradientClipping;
import dev.jdpo.trainer.optim.LearningRateSchedule;
import dev.jdpo.trainer.optim.LossScaler;
import java.util.List;
import java.util.Optional;

/**
 * The DPO training engine for one policy model: each {@link #step} call is one optimizer step over the given
 * pairs (split into micro-batches of {@code batch_size} whose gradients accumulate), followed by global-norm
 * clipping, the scheduled learning rate and AdamW (in FP16 under dynamic loss scaling: a step whose gradients
 * overflow is skipped). Plain Java, usable without gRPC: callers feed batches, read
 * per-step metrics, and save or restore checkpoints between steps. Not thread-safe.
 */
public final class PolicyTrainer implements AutoCloseable {

    private final CausalLM policy;
    private final TrainingConfig config;
    private final PairForward forward;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final LossScaler scaler;
    private int completedSteps;
    private long numTokens;
    private double lastLearningRate;
    private String failure;

    /**
     * @param policy a model loaded with {@code trainable = true}, or a frozen base with a trainable LoRA adapter
     *     attached (then only the adapter trains)
     * @param padId id that right-pads batches (the tokenizer's pad token, else eos)
     * @param totalSteps optimizer steps of the whole run, for the schedule
     */
    public PolicyTrainer(CausalLM policy, TrainingConfig config, int padId, int totalSteps) {
        if (policy.trainableParameters().isEmpty()) {
            throw new IllegalArgumentException("the policy " + policy.sourceDir()
                    + " was loaded frozen; load it with LoadOptions.trainable = true or attach a LoRA adapter");
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("totalSteps must be positive, got " + totalSteps);
        }
        this.policy = policy;
        this.config = config;
        this.forward = new PairForward(policy, config, padId);
        this.optimizer = new AdamW(policy.trainableParameters(), new AdamW.Settings(config.adamBeta1(), config.adamBeta2(),
                config.adamEpsilon(), config.weightDecay()), AdamW.DECAYS, policy.manager());
        this.schedule = LearningRateSchedule.of(config.scheduler(), config.learningRate(), config.warmupSteps(),
                config.warmupRatio(), totalSteps);
        this.scaler = policy.options().precision() == Precision.FP16 ? new LossScaler(config.lossScaling()) : null;
        if (config.gradientCheckpointing()
                && policy.adapter().map(adapter -> adapter.config().loraDropout() > 0).orElse(false)) {
            throw new IllegalArgumentException("training.gradient_checkpointing: cannot be combined with the "
                    + "adapter's lora_dropout > 0: the recomputed layers would draw another dropout mask");
        }
        Engine.getInstance().setRandomSeed((int) config.seed());
    }

    /**
     * One optimizer step over {@code pairs}, which the caller checked once where they entered
     * ({@link PairChecks}: {@code TrainingRun.start}, the trainer service) rather than on every step.
     *
     * @param epoch fractional epochs completed once this step is done (reported as the epoch metric)
     * @throws TrainingDivergedException when the loss or gradient norm is NaN or infinite (in FP16, only the loss:
     *     an overflowed gradient skips the step); the weights are left as they were and this trainer refuses
     *     further steps
     */
    public StepResult step(List<TrainingPair> pairs, double epoch) throws TrainingDivergedException {
        if (failure != null) {
            throw new IllegalStateException("this trainer stopped after a failure (" + failure + "); resume from a "
                    + "checkpoint");
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one pair");
        }
        // LoRA dropout applies to training steps only, not to evaluation between them
        policy.adapter().ifPresent(adapter -> adapter.setTraining(true));
        try {
            return update(pairs, epoch);
        } catch (RuntimeException e) {
            // leave no half-accumulated gradient behind for the caller's next step
            optimizer.zeroGradients();
            throw e;
        } finally {
            policy.adapter().ifPresent(adapter -> adapter.setTraining(false));
        }
    }

    private StepResult update(List<TrainingPair> pairs, double epoch) throws TrainingDivergedException {
        long start = System.nanoTime();
        int step = completedSteps + 1;
        double learningRate = schedule.learningRate(step);
        StepNormalizer normalizer = new StepNormalizer(pairs.size(),
                pairs.stream().mapToLong(p -> p.tokens().chosen().scoredTokens()).sum());
        StepStatistics statistics = new StepStatistics(config.beta(), pairs.size(), config.sft());
        int microBatches = (pairs.size() + config.batchSize() - 1) / config.batchSize();
        for (int m = 0; m < microBatches; m++) {
            int from = m * config.batchSize();
            List<TrainingPair> micro = pairs.subList(from, Math.min(pairs.size(), from + config.batchSize()));
            double value = microBatch(micro, from, normalizer, statistics);
            if (!Double.isFinite(value)) {
                throw diverged(step, "loss is " + value + " in micro-batch " + (m + 1) + " of " + microBatches);
            }
        }
        if (scaler != null) {
            scaler.unscale(policy.trainableParameters().values());
        }
        double gradNorm = GradientClipping.globalNorm(policy.trainableParameters().values());
        boolean overflowed = !Double.isFinite(gradNorm);
        if (overflowed && scaler == null) {
            throw diverged(step, "gradient norm is " + gradNorm);
        }
        if (overflowed) {
            gradNorm = 0;
        } else {
            if (config.maxGradNorm() > 0) {
                GradientClipping.clip(policy.trainableParameters().values(), config.maxGradNorm(), gradNorm);
            }
            optimizer.step(learningRate);
        }
        optimizer.zeroGradients();
        if (scaler != null) {
            scaler.update(overflowed);
        }
        completedSteps = step;
        numTokens += statistics.tokens();
        lastLearningRate = learningRate;
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        return statistics.finish(step, gradNorm, learningRate, epoch, numTokens, seconds,
                scaler == null ? null : scaler.state());
    }

    /** Forward, loss and backward of one micro-batch; returns its loss contribution. */
    private double microBatch(List<TrainingPair> pairs, int offset, StepNormalizer normalizer,
                              StepStatistics statistics) {
        try (NDManager manager = policy.manager().newSubManager()) {
            PairForward.Result result;
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                policy.transformer().setGradientCheckpointing(config.gradientCheckpointing());
                result = forward.run(manager, pairs, normalizer);
                value = result.loss().getFloat();
                if (!Float.isFinite(value)) {
                    return value;
                }
                // the scaled loss backs FP16 gradients away from underflow; unscaled before clipping and the update
                collector.backward(scaler == null ? result.loss() : ScalarOps.times(result.loss(), scaler.scale()));
                if (config.gradientCheckpointing()) {
                    policy.transformer().backwardThroughLayers();
                }
            } finally {
                policy.transformer().setGradientCheckpointing(false);
            }
            result.record(statistics, offset);
            statistics.addLoss(value);
            statistics.addTokens(pairs.stream().mapToLong(p -> p.tokens().tokenCount(config.sft())).sum());
            return value;
        }
    }

    private TrainingDivergedException diverged(int step, String problem) {
        optimizer.zeroGradients();
        failure = "step " + step + ": " + problem;
        return new TrainingDivergedException(step, "step " + step + ": " + problem
                + "; the weights were not updated");
    }

    /** Optimizer steps completed. */
    public int completedSteps() {
        return completedSteps;
    }

    /** Non-padding tokens trained on so far. */
    public long numTokens() {
        return numTokens;
    }

    /** The learning rate of the last update (0 before the first). */
    public double lastLearningRate() {
        return lastLearningRate;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    public TrainingConfig config() {
        return config;
    }

    public CausalLM policy() {
        return policy;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The dynamic loss scaler of an FP16 policy. */
    public Optional<LossScaler> lossScaler() {
        return Optional.ofNullable(scaler);
    }

    /** Puts the trainer at a checkpoint's position (the caller restores weights and moments). */
    public void restoreProgress(int steps, long tokens, double learningRate) {
        this.completedSteps = steps;
        this.numTokens = tokens;
        this.lastLearningRate = learningRate;
    }

    /** Frees the optimizer state; the policy stays open (its owner closes it). */
    @Override
    public void close() {
        optimizer.close();
    }
}
