package dev.jdpo.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.CompletionLogProbs;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.model.tensor.OwnedTensors;
import dev.jdpo.model.tensor.ScalarOps;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.loss.CombinedLoss;
import dev.jdpo.trainer.loss.PairLogps;
import dev.jdpo.trainer.loss.StepNormalizer;
import dev.jdpo.trainer.optim.NoGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward half of a DPO step, shared by training and evaluation so the two cannot drift: the policy's
 * log-probs of a micro-batch of pairs, the reference log-probs beside them (LD-DPO weighted when configured), WPO
 * weights and the micro-batch loss. Under method sft only the chosen rows are forwarded and the loss is
 * {@link dev.jdpo.trainer.loss.SftLoss}'s token-mean NLL of the chosen completions (the config's only loss). {@link PolicyTrainer} runs it under a gradient collector, the evaluator under
 * no-grad.
 */
public final class PairForward {

    private final CausalLM policy;
    private final int padId;
    private final boolean useWeighting;
    private final boolean sft;
    private final CombinedLoss loss;
    private final LengthDesensitization lengthDesensitization;

    public PairForward(CausalLM policy, TrainingConfig config, int padId) {
        this.policy = policy;
        this.padId = padId;
        this.useWeighting = config.useWeighting();
        this.sft = config.sft();
        this.loss = CombinedLoss.from(config);
        this.lengthDesensitization = config.ldAlpha() == null ? null : new LengthDesensitization(config.ldAlpha());
    }

    /**
     * The forward pass over {@code pairs}, chosen rows first, then rejected; its arrays live in {@code manager}.
     *
     * @param normalizer divides the loss by the sizes of the whole step (or evaluation set)
     */
    public Result run(NDManager manager, List<TrainingPair> pairs, StepNormalizer normalizer) {
        int size = pairs.size();
        List<TokenSequence> sequences = new ArrayList<>(2 * size);
        pairs.forEach(pair -> sequences.add(pair.tokens().chosen()));
        if (sft) {
            PaddedBatch batch = PaddedBatch.of(manager, sequences, padId);
            CompletionLogProbs logProbs = LogProbs.compute(policy, batch, false);
            NDArray sums = logProbs.sequenceLogps();
            PairLogps logps = new PairLogps(sums, null, sums, null, null, logProbs.completionLengths(), null);
            return new Result(logProbs, logps, loss.microBatchLoss(logps, null, normalizer), size, true);
        }
        pairs.forEach(pair -> sequences.add(pair.tokens().rejected()));
        PaddedBatch batch = PaddedBatch.of(manager, sequences, padId);
        CompletionLogProbs logProbs = LogProbs.compute(policy, batch, useWeighting);
        PairLogps logps = pairLogps(batch, sequences, logProbs, pairs);
        NDArray pairWeights = useWeighting ? wpoWeights(logProbs, size) : null;
        return new Result(logProbs, logps, loss.microBatchLoss(logps, pairWeights, normalizer), size, false);
    }

    /**
     * One micro-batch's forward outputs.
     *
     * @param loss this micro-batch's share of the step loss (a scalar)
     * @param size pairs in the micro-batch
     * @param sft whether only the chosen rows were forwarded (method sft)
     */
    public record Result(CompletionLogProbs logProbs, PairLogps logps, NDArray loss, int size, boolean sft) {

        /**
         * Adds the pairs' log-probs, rewards and logits to {@code statistics}, the first as pair {@code offset}; for
         * SFT, the completion tokens and how many of them the policy predicts right.
         */
        public void record(StepStatistics statistics, int offset) {
            if (sft) {
                statistics.addTokenAccuracy(logProbs.correctTokens().sum().getFloat(),
                        logProbs.completionLengths().sum().getFloat());
                return;
            }
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
                                List<TrainingPair> pairs) {
        int size = pairs.size();
        NDArray sums = logProbs.sequenceLogps();
        NDArray weighted = lengthDesensitization == null ? sums
                : logProbs.tokenLogps().mul(lengthDesensitization.positionWeights(batch.manager(), sequences,
                        batch.width())).sum(new int[] {1});
        NDArray lengths = logProbs.completionLengths();
        NDArray refChosen = null;
        NDArray refRejected = null;
        if (pairs.stream().allMatch(pair -> pair.reference() != null)) {
            float[] chosen = new float[size];
            float[] rejected = new float[size];
            for (int i = 0; i < size; i++) {
                int shared = LengthDesensitization.sharedLength(sequences, i, size);
                chosen[i] = (float) referenceLogp(pairs.get(i).reference(), true, shared);
                rejected[i] = (float) referenceLogp(pairs.get(i).reference(), false, shared);
            }
            refChosen = OwnedTensors.of(batch.manager(), chosen);
            refRejected = OwnedTensors.of(batch.manager(), rejected);
        }
        return new PairLogps(weighted.get("0:" + size), weighted.get(size + ":"), sums.get("0:" + size), refChosen,
                refRejected, lengths.get("0:" + size), lengths.get(size + ":"));
    }

    private double referenceLogp(PairLogProbs reference, boolean chosen, int shared) {
        if (lengthDesensitization == null || !reference.hasTokenLogps()) {
            return chosen ? reference.chosenLogp() : reference.rejectedLogp();
        }
        return lengthDesensitization.weightedSum(
                chosen ? reference.chosenTokenLogps() : reference.rejectedTokenLogps(), shared);
    }

    /** WPO (Zhou et al., arXiv:2406.11827, Eq. 2): w = exp(mean_t[logp_t - log sum_v p_v^2]), w_c x w_r, detached. */
    private static NDArray wpoWeights(CompletionLogProbs logProbs, int size) {
        try (NoGrad noGrad = NoGrad.enter()) {
            NDArray aligned = logProbs.tokenLogps().stopGradient().sub(logProbs.wpoTokenTerms())
                    .mul(logProbs.completionMask());
            NDArray weights = aligned.sum(new int[] {1}).div(ScalarOps.atLeast(logProbs.completionLengths(), 1)).exp();
            return weights.get("0:" + size).mul(weights.get(size + ":"));
        }
    }
}
