package dev.jdpo.trainer.data;

import java.util.Random;

/**
 * The seeded order of the pairs in each epoch: a Fisher-Yates shuffle driven by {@code java.util.Random}, whose
 * sequence is fixed by the Java specification, so an order is reproduced exactly from (seed, epoch) on resume.
 */
public record DataOrder(long seed, int size) {

    public DataOrder {
        if (size <= 0) {
            throw new IllegalArgumentException("no training pairs");
        }
    }

    /** Pair indices in the order epoch {@code epoch} visits them. */
    public int[] epochOrder(int epoch) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Random random = new Random(seed * 1_000_003L + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
