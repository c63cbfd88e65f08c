package dev.jdpo.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.CompletionLogProbs;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.ReferenceScores;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.LengthDesensitization;
import dev.jdpo.trainer.engine.PairChecks;
import dev.jdpo.trainer.engine.StepStatistics;
import dev.jdpo.trainer.loss.CombinedLoss;
import dev.jdpo.trainer.loss.PairLogps;
import dev.jdpo.trainer.loss.StepNormalizer;
import dev.jdpo.trainer.optim.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores held-out pairs with the policy's current weights: the metrics a training step over all of them would
 * report (loss with the configured losses, LD-DPO and WPO weights; rewards, logps and logits), computed in
 * micro-batches under no-grad and never updating anything, with TRL's {@code eval_} names. Because the loss of
 * each micro-batch is divided by the sizes of the whole set, {@code eval_loss} is the per-pair mean, as HF's
 * evaluation loop reports it for equal-sized batches.
 */
public final class Evaluator {

    private final CausalLM policy;
    private final TrainingConfig config;
    private final int padId;
    private final List<TrainingPair> pairs;
    private final int batchSize;
    private final CombinedLoss loss;
    private final LengthDesensitization lengthWeights;
    private final StepNormalizer normalizer;

    /**
     * @param policy the model being trained (its weights are read at each {@link #evaluate})
     * @param pairs validation pairs, with reference log-probs when the losses need them
     * @param batchSize pairs per forward pass
     */
    public Evaluator(CausalLM policy, TrainingConfig config, int padId, List<TrainingPair> pairs, int batchSize) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no validation pairs to evaluate");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("eval batch size must be >= 1, got " + batchSize);
        }
        PairChecks.check(pairs, config, policy.config().vocabSize(), 0);
        this.policy = policy;
        this.config = config;
        this.padId = padId;
        this.pairs = List.copyOf(pairs);
        this.batchSize = batchSize;
        this.loss = CombinedLoss.from(config);
        this.lengthWeights = config.ldAlpha() == null ? null : new LengthDesensitization(config.ldAlpha());
        this.normalizer = new StepNormalizer(pairs.size(),
                pairs.stream().mapToLong(p -> p.chosen().scoredTokens()).sum());
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
        StepStatistics statistics = new StepStatistics(config.beta(), pairs.size());
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
        int size = micro.size();
        List<TokenSequence> sequences = new ArrayList<>(2 * size);
        micro.forEach(pair -> sequences.add(pair.chosen()));
        micro.forEach(pair -> sequences.add(pair.rejected()));
        try (NDManager manager = policy.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, sequences, padId)) {
            CompletionLogProbs logProbs = LogProbs.compute(policy, batch, config.useWeighting());
            PairLogps logps = pairLogps(batch, sequences, logProbs, micro);
            NDArray pairWeights = config.useWeighting() ? wpoWeights(logProbs, size) : null;
            statistics.addLoss(loss.microBatchLoss(logps, pairWeights, normalizer).getFloat());
            float[] chosen = logps.chosen().toFloatArray();
            float[] rejected = logps.rejected().toFloatArray();
            float[] refChosen = logps.refChosen() == null ? new float[size] : logps.refChosen().toFloatArray();
            float[] refRejected = logps.refRejected() == null ? new float[size] : logps.refRejected().toFloatArray();
            float[] logitSums = logProbs.meanLogitSums().toFloatArray();
            float[] lengths = logProbs.completionLengths().toFloatArray();
            for (int i = 0; i < size; i++) {
                statistics.addPair(offset + i, chosen[i], rejected[i], refChosen[i], refRejected[i]);
                statistics.addLogits(logitSums[i], lengths[i], logitSums[size + i], lengths[size + i]);
            }
        }
    }

    private PairLogps pairLogps(PaddedBatch batch, List<TokenSequence> sequences, CompletionLogProbs logProbs,
                                List<TrainingPair> micro) {
        int size = micro.size();
        NDArray sums = logProbs.sequenceLogps();
        NDArray weighted = lengthWeights == null ? sums
                : logProbs.tokenLogps().mul(lengthWeights.positionWeights(batch.manager(), sequences,
                        batch.width())).sum(new int[] {1});
        NDArray lengths = logProbs.completionLengths();
        NDArray refChosen = null;
        NDArray refRejected = null;
        if (micro.stream().allMatch(pair -> pair.reference() != null)) {
            float[] chosen = new float[size];
            float[] rejected = new float[size];
            for (int i = 0; i < size; i++) {
                int shared = LengthDesensitization.sharedLength(sequences, i, size);
                chosen[i] = (float) referenceLogp(micro.get(i).reference(), true, shared);
                rejected[i] = (float) referenceLogp(micro.get(i).reference(), false, shared);
            }
            refChosen = batch.manager().create(chosen);
            refRejected = batch.manager().create(rejected);
        }
        return new PairLogps(weighted.get("0:" + size), weighted.get(size + ":"), sums.get("0:" + size), refChosen,
                refRejected, lengths.get("0:" + size), lengths.get(size + ":"));
    }

    private double referenceLogp(ReferenceScores reference, boolean chosen, int shared) {
        if (lengthWeights == null || !reference.hasTokenLogps()) {
            return chosen ? reference.chosenLogp() : reference.rejectedLogp();
        }
        return lengthWeights.weightedSum(chosen ? reference.chosenTokenLogps() : reference.rejectedTokenLogps(),
                shared);
    }

    /** WPO's pair weight w_c x w_r with w = exp(mean_t[logp_t - log sum_v p_v^2]) (arXiv:2406.11827, Eq. 2). */
    private static NDArray wpoWeights(CompletionLogProbs logProbs, int size) {
        NDArray aligned = logProbs.tokenLogps().sub(logProbs.wpoTokenTerms()).mul(logProbs.completionMask());
        NDArray weights = aligned.sum(new int[] {1}).div(logProbs.completionLengths().maximum(1f)).exp();
        return weights.get("0:" + size).mul(weights.get(size + ":"));
    }
}
