package dev.jdpo.model.logprob;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.index.NDIndex;
import dev.jdpo.model.CausalLM;
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
            NDArray logits = model.forward(batch.inputIds(), batch.attentionMask());
            NDArray shifted = logits.get(new NDIndex(":, :-1, :"));
            NDArray labels = batch.inputIds().get(new NDIndex(":, 1:")).expandDims(2);
            NDArray mask = batch.completionMask();
            NDArray tokenLogps = shifted.logSoftmax(-1).gather(labels, 2).squeeze(2).mul(mask);
            NDArray sequenceLogps = tokenLogps.sum(new int[] {1});
            NDArray lengths = mask.sum(new int[] {1});
            NDArray detached = shifted.stopGradient();
            NDArray meanLogitSums = detached.mean(new int[] {-1}).mul(mask).sum(new int[] {1});
            NDArray correctTokens = detached.argMax(-1).toType(DataType.INT64, false)
                    .eq(labels.squeeze(2).toType(DataType.INT64, false)).toType(DataType.FLOAT32, false)
                    .mul(mask).sum(new int[] {1});
            NDArray wpo = null;
            if (withWpoTerms) {
                wpo = logSumExp(detached.mul(2f)).sub(logSumExp(detached).mul(2f)).mul(mask);
                NDScope.unregister(wpo);
            }
            NDScope.unregister(sequenceLogps, tokenLogps, lengths, meanLogitSums, correctTokens);
            return new CompletionLogProbs(sequenceLogps, tokenLogps, mask, lengths, meanLogitSums, correctTokens, wpo);
        }
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
