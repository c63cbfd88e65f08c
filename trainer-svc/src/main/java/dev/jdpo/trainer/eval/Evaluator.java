package dev.jdpo.trainer.eval;

import ai.djl.ndarray.NDManager;
import dev.jdpo.model.CausalLM;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.PairForward;
import dev.jdpo.trainer.engine.StepStatistics;
import dev.jdpo.trainer.loss.StepNormalizer;
import dev.jdpo.trainer.optim.NoGrad;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores held-out pairs with the policy's current weights: the metrics a training step over all of them would
 * report (loss with the configured losses, LD-DPO and WPO weights; rewards, logps and logits), computed in
 * micro-batches by the training step's own {@link PairForward} under no-grad, never updating anything, with TRL's {@code eval_} names. Because the loss of
 * each micro-batch is divided by the sizes of the whole set, {@code eval_loss} is the per-pair mean, as HF's
 * evaluation loop reports it for equal-sized batches.
 */
public final class Evaluator {

    private final CausalLM policy;
    private final TrainingConfig config;
    private final List<TrainingPair> pairs;
    private final int batchSize;
    private final PairForward forward;
    private final StepNormalizer normalizer;

    /**
     * @param policy the model being trained (its weights are read at each {@link #evaluate})
     * @param pairs validation pairs, checked by the caller ({@link dev.jdpo.trainer.engine.PairChecks}), with
     *     reference log-probs when the losses need them
     * @param batchSize pairs per forward pass
     */
    public Evaluator(CausalLM policy, TrainingConfig config, int padId, List<TrainingPair> pairs, int batchSize) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no validation pairs to evaluate");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("eval batch size must be >= 1, got " + batchSize);
        }
        this.policy = policy;
        this.config = config;
        this.pairs = List.copyOf(pairs);
        this.batchSize = batchSize;
        this.forward = new PairForward(policy, config, padId);
        this.normalizer = new StepNormalizer(pairs.size(),
                pairs.stream().mapToLong(p -> p.tokens().chosen().scoredTokens()).sum());
    }

    /** Pairs evaluated per call. */
    public int size() {
        return pairs.size();
    }

    /**
     * The validation metrics of the current weights.
     *
     * @param step optimizer steps completed, recorded in the result
     * @param epoch fractional epochs completed, reported as {@code epoch}
     */
    public Evaluation evaluate(int step, double epoch) {
        long start = System.nanoTime();
        StepStatistics statistics = new StepStatistics(config.beta(), pairs.size(), config.sft());
        int batches = 0;
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int from = 0; from < pairs.size(); from += batchSize) {
                microBatch(pairs.subList(from, Math.min(pairs.size(), from + batchSize)), from, statistics);
                batches++;
            }
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        Map<String, Double> values = new LinkedHashMap<>(statistics.metrics("eval_"));
        values.put("eval_runtime", seconds);
        values.put("eval_samples_per_second", pairs.size() / seconds);
        values.put("eval_steps_per_second", batches / seconds);
        values.put("epoch", epoch);
        return new Evaluation(step, values);
    }

    private void microBatch(List<TrainingPair> micro, int offset, StepStatistics statistics) {
        try (NDManager manager = policy.manager().newSubManager()) {
            PairForward.Result result = forward.run(manager, micro, normalizer);
            statistics.addLoss(result.loss().getFloat());
            result.record(statistics, offset);
        }
    }
}
