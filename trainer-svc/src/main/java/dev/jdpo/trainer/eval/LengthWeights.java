package dev.jdpo.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.logprob.TokenSequence;
import java.util.List;

/**
 * LD-DPO's per-token weights (Liu et al., arXiv:2409.06411) exactly as the training step applies them: tokens up
 * to the pair's shared length count once, later ones {@code alpha} times, for policy and reference alike.
 */
final class LengthWeights {

    private final double alpha;

    LengthWeights(double alpha) {
        this.alpha = alpha;
    }

    /** {@code [2B, width-1]} weights for B chosen then B rejected sequences laid out as {@code PaddedBatch} does. */
    NDArray positionWeights(NDManager manager, List<TokenSequence> sequences, long width) {
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
        return manager.create(weights, new Shape(sequences.size(), columns));
    }

    /** The weighted sum of a completion's per-token reference log-probs. */
    double weightedSum(float[] tokenLogps, int shared) {
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

    static int sharedLength(List<TokenSequence> sequences, int pair, int pairs) {
        return Math.min(sequences.get(pair).scoredTokens(), sequences.get(pairs + pair).scoredTokens());
    }
}
