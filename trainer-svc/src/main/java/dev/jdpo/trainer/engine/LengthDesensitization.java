package dev.jdpo.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.model.tensor.OwnedTensors;
import java.util.List;

/**
 * LD-DPO (Liu et al., arXiv:2409.06411): with the shared length l = min(|y_c|, |y_r|) of a pair, a sequence's
 * log-prob becomes sum_{k<=l} logp_k + alpha sum_{k>l} logp_k. Applied to policy and reference alike, as TRL does.
 */
public final class LengthDesensitization {

    private final double alpha;

    public LengthDesensitization(double alpha) {
        this.alpha = alpha;
    }

    /**
     * Per-position weights {@code [2B, width-1]} for a batch of B chosen then B rejected sequences laid out as
     * {@code PaddedBatch} lays them out (the logit at t scores token t+1).
     */
    public NDArray positionWeights(NDManager manager, List<TokenSequence> sequences, long width) {
        int pairs = sequences.size() / 2;
        int columns = (int) width - 1;
        float[] weights = new float[sequences.size() * columns];
        for (int row = 0; row < sequences.size(); row++) {
            TokenSequence sequence = sequences.get(row);
            int shared = sharedLength(sequences, row % pairs, pairs);
            int first = Math.max(0, sequence.promptIds().length - 1);
            for (int k = 1; k <= sequence.scoredTokens(); k++) {
                weights[row * columns + first + k - 1] = k <= shared ? 1f : (float) alpha;
            }
        }
        return OwnedTensors.of(manager, weights, new Shape(sequences.size(), columns));
    }

    /** The weighted sum of per-token log-probs for a completion whose pair shares {@code shared} tokens. */
    public double weightedSum(float[] tokenLogps, int shared) {
        double head = 0;
        double tail = 0;
        for (int k = 0; k < tokenLogps.length; k++) {
            if (k < shared) {
                head += tokenLogps[k];
            } else {
                tail += tokenLogps[k];
            }
        }
        return head + alpha * tail;
    }

    public static int sharedLength(List<TokenSequence> sequences, int pair, int pairs) {
        return Math.min(sequences.get(pair).scoredTokens(), sequences.get(pairs + pair).scoredTokens());
    }
}
