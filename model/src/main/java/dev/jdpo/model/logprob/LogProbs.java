package dev.jdpo.model.logprob;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.index.NDIndex;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.transformer.Transformer;
import java.util.List;

/** Per-token and per-sequence completion log-probs of a padded batch, as TRL computes them. */
public final class LogProbs {

    private LogProbs() {
    }

    /**
     * Runs the model on the batch and scores completion tokens. Differentiable when called inside a
     * GradientCollector with a trainable model; the detached metrics never carry gradients.
     */
    public static CompletionLogProbs compute(CausalLM model, PaddedBatch batch, boolean withWpoTerms) {
        checkVocabulary(batch.sequences(), model.config().vocabSize());
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Transformer transformer = model.transformer();
            NDArray hidden = transformer.hiddenStates(batch.inputIds(), batch.attentionMask(), null);
            NDArray labels = batch.inputIds().get(new NDIndex(":, 1:")).expandDims(2);
            NDArray mask = batch.completionMask();
            // logits a budget-sized slice of positions at a time, from the first that scores a completion token:
            // autograd keeps each slice's log-softmax, never the whole [B, T-1, vocab] logits and their copies
            long positions = labels.getShape().get(1);
            long first = batch.sequences().stream().mapToLong(s -> Math.max(0, s.promptIds().length - 1)).min()
                    .orElse(0);
            long perSlice = LogitBudget.positionsPerSlice(batch.size(), model.config().vocabSize());
            NDList tokens = new NDList();
            NDList meanLogits = new NDList();
            NDList correct = new NDList();
            NDList wpoTerms = new NDList();
            if (first > 0) {
                NDArray none = mask.get(new NDIndex(":, :{}", first)).zerosLike();
                tokens.add(none);
                meanLogits.add(none);
                correct.add(none);
                wpoTerms.add(none);
            }
            for (long from = first; from < positions; from += perSlice) {
                NDIndex slice = new NDIndex(":, {}:{}", from, Math.min(positions, from + perSlice));
                NDList parts = new NDList();
                try (NDScope sliceScope = new NDScope()) {
                    sliceScope.suppressNotUsedWarning();
                    NDArray logits = transformer.lmHead(hidden.get(slice));
                    NDArray sliceLabels = labels.get(slice);
                    NDArray detached = logits.stopGradient();
                    parts.add(logits.logSoftmax(-1).gather(sliceLabels, 2).squeeze(2));
                    parts.add(detached.mean(new int[] {-1}));
                    parts.add(detached.argMax(-1).toType(DataType.INT64, false)
                            .eq(sliceLabels.squeeze(2).toType(DataType.INT64, false)).toType(DataType.FLOAT32, false));
                    if (withWpoTerms) {
                        parts.add(logSumExp(detached.mul(2f)).sub(logSumExp(detached).mul(2f)));
                    }
                    NDScope.unregister(parts);
                }
                // the slice's logits are closed; what it keeps belongs to this method's scope again
                parts.forEach(NDScope::register);
                tokens.add(parts.get(0));
                meanLogits.add(parts.get(1));
                correct.add(parts.get(2));
                if (withWpoTerms) {
                    wpoTerms.add(parts.get(3));
                }
            }
            NDArray tokenLogps = joined(tokens).mul(mask);
            NDArray sequenceLogps = tokenLogps.sum(new int[] {1});
            NDArray lengths = mask.sum(new int[] {1});
            NDArray meanLogitSums = joined(meanLogits).mul(mask).sum(new int[] {1});
            NDArray correctTokens = joined(correct).mul(mask).sum(new int[] {1});
            NDArray wpo = null;
            if (withWpoTerms) {
                wpo = joined(wpoTerms).mul(mask);
                NDScope.unregister(wpo);
            }
            NDScope.unregister(sequenceLogps, tokenLogps, lengths, meanLogitSums, correctTokens);
            return new CompletionLogProbs(sequenceLogps, tokenLogps, mask, lengths, meanLogitSums, correctTokens, wpo);
        }
    }

    /** The slices side by side along positions; one slice as it is (DJL's concat of one array detaches a copy). */
    private static NDArray joined(NDList slices) {
        return slices.size() == 1 ? slices.head() : NDArrays.concat(slices, 1);
    }

    /** {@code log(sum(exp(x)))} over the last axis, shifted by the max for stability. */
    static NDArray logSumExp(NDArray x) {
        NDArray max = x.max(new int[] {-1}, true);
        return x.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1));
    }

    /** Rejects ids outside the vocabulary before they reach the engine. */
    static void checkVocabulary(List<TokenSequence> sequences, int vocabSize) {
        for (int i = 0; i < sequences.size(); i++) {
            for (int id : sequences.get(i).ids()) {
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException("sequence " + i + " has token id " + id
                            + " outside the model's vocabulary [0, " + vocabSize + ")");
                }
            }
        }
    }
}
