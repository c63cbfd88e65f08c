package dev.jdpo.tokenizer.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic shuffle (Fisher-Yates driven by SplittableRandom, whose sequence is specified, so a seed gives the
 * same order on every JVM) and a train/validation split: the last round(n * ratio) pairs are held out. A run that
 * stores its pairs in file order applies the same {@link #permutation} to the store, so both give one order.
 */
public final class ShuffleSplit {

    private ShuffleSplit() {
    }

    static <T> List<T> shuffle(List<T> items, long seed) {
        int[] order = permutation(items.size(), seed);
        List<T> out = new ArrayList<>(order.length);
        for (int from : order) {
            out.add(items.get(from));
        }
        return out;
    }

    /** Position {@code k} of the shuffled order holds item {@code permutation(n, seed)[k]} of the input order. */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    public static int validationSize(int n, double ratio) {
        return (int) Math.round(n * ratio);
    }
}
