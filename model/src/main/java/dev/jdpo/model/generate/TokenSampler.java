package dev.jdpo.model.generate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/** Picks the next token from one row of logits: argmax, or temperature + top-p (nucleus) sampling. */
final class TokenSampler {

    private final GenerationOptions options;
    private final SplittableRandom random;

    TokenSampler(GenerationOptions options, long seed) {
        this.options = options;
        this.random = new SplittableRandom(seed);
    }

    int next(float[] logits) {
        return options.sample() ? sample(logits) : argmax(logits);
    }

    /** First index of the largest logit, as torch.argmax. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private int sample(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit / options.temperature());
        }
        double[] probabilities = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = Math.exp(logits[i] / options.temperature() - max);
            total += probabilities[i];
        }
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed());
        // keep the most likely tokens until their mass reaches top_p (always at least one)
        int kept = 0;
        double mass = 0;
        while (kept < order.length && (kept == 0 || mass < options.topP())) {
            mass += probabilities[order[kept]] / total;
            kept++;
        }
        double target = random.nextDouble() * mass;
        double running = 0;
        for (int k = 0; k < kept; k++) {
            running += probabilities[order[k]] / total;
            if (target < running) {
                return order[k];
            }
        }
        return order[kept - 1];
    }
}
