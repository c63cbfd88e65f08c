package dev.jdpo.tokenizer.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic shuffle (Fisher-Yates driven by SplittableRandom, whose sequence is specified, so a seed gives the
 * same order on every JVM) and a train/validation split: the last round(n * ratio) pairs are held out.
 */
final class ShuffleSplit {

    private ShuffleSplit() {
    }

    static <T> List<T> shuffle(List<T> items, long seed) {
        List<T> out = new ArrayList<>(items);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T tmp = out.get(i);
            out.set(i, out.get(j));
            out.set(j, tmp);
        }
        return out;
    }

    static int validationSize(int n, double ratio) {
        return (int) Math.round(n * ratio);
    }
}
