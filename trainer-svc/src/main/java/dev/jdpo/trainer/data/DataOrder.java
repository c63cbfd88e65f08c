package dev.jdpo.trainer.data;

import java.util.Random;

/**
 * The seeded order of the pairs in each epoch, reproduced exactly from (seed, epoch, size, window) on resume
 * ({@code java.util.Random}'s sequence is fixed by the Java specification). A dataset of at most {@code window}
 * pairs gets a uniform Fisher-Yates permutation. A larger one gets a buffered shuffle: position j takes a random
 * pair among the first j + window not yet taken, so visiting position j needs only pairs below j + window, and
 * training can start before the last pair is read.
 *
 * @param window the shuffle window (data.shuffle_window), > 0
 */
public record DataOrder(long seed, int size, int window) {

    /** data.shuffle_window's default: every dataset up to this size is shuffled uniformly. */
    public static final int DEFAULT_WINDOW = 10_000;

    public DataOrder {
        if (size <= 0) {
            throw new IllegalArgumentException("no training pairs");
        }
        if (window <= 0) {
            throw new IllegalArgumentException("shuffle window must be > 0, got " + window);
        }
    }

    /** Whether position j needs only pairs below j + window, rather than all of them. */
    public boolean buffered() {
        return buffered(size, window);
    }

    /** Whether {@code size} pairs over a shuffle window of {@code window} take the buffered shuffle. */
    public static boolean buffered(int size, int window) {
        return size > window;
    }

    /** Pair indices in the order epoch {@code epoch} visits them. */
    public int[] epochOrder(int epoch) {
        Random random = new Random(seed * 1_000_003L + epoch);
        return buffered() ? buffered(random) : uniform(random);
    }

    private int[] uniform(Random random) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** The candidates are the first j + window pairs not yet taken; the one taken is replaced by the next pair. */
    private int[] buffered(Random random) {
        int[] order = new int[size];
        int[] candidates = new int[window];
        for (int i = 0; i < window; i++) {
            candidates[i] = i;
        }
        int live = window;
        for (int j = 0; j < size; j++) {
            int pick = random.nextInt(live);
            order[j] = candidates[pick];
            int next = j + window;
            if (next < size) {
                candidates[pick] = next;
            } else {
                candidates[pick] = candidates[--live];
            }
        }
        return order;
    }
}
