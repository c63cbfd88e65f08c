package dev.jdpo.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The epoch order is a permutation fixed by (seed, epoch). */
class DataOrderTest {

    @Test
    void eachEpochIsAReproduciblePermutation() {
        DataOrder order = new DataOrder(42, 50);
        int[] first = order.epochOrder(0);
        int[] sorted = first.clone();
        Arrays.sort(sorted);
        int[] identity = new int[50];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted);
        assertArrayEquals(first, new DataOrder(42, 50).epochOrder(0));
        assertFalse(Arrays.equals(first, order.epochOrder(1)));
        assertFalse(Arrays.equals(first, new DataOrder(43, 50).epochOrder(0)));
    }
}
