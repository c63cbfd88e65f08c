package dev.jdpo.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The epoch order is a permutation fixed by (seed, epoch, size, window), local above the window. */
class DataOrderTest {

    @Test
    void eachEpochIsAReproduciblePermutation() {
        DataOrder order = new DataOrder(42, 50, DataOrder.DEFAULT_WINDOW);
        int[] first = order.epochOrder(0);
        assertPermutation(first);
        assertArrayEquals(first, new DataOrder(42, 50, DataOrder.DEFAULT_WINDOW).epochOrder(0));
        assertFalse(Arrays.equals(first, order.epochOrder(1)));
        assertFalse(Arrays.equals(first, new DataOrder(43, 50, DataOrder.DEFAULT_WINDOW).epochOrder(0)));
    }

    @Test
    void atMostTheWindowKeepsTheUniformPermutationOfEarlierReleases() {
        // Fisher-Yates over java.util.Random(seed * 1_000_003 + epoch), as every earlier run and checkpoint used
        assertArrayEquals(new int[] {0, 1, 4, 3, 2}, new DataOrder(7, 5, 5).epochOrder(1));
        assertArrayEquals(new DataOrder(7, 5, 5).epochOrder(1), new DataOrder(7, 5, 6).epochOrder(1));
        assertFalse(new DataOrder(7, 5, 5).buffered());
    }

    @Test
    void aboveTheWindowEachPositionNeedsOnlyPairsBelowItPlusTheWindow() {
        int size = 5_000;
        int window = 64;
        DataOrder order = new DataOrder(11, size, window);
        assertTrue(order.buffered());
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] visit = order.epochOrder(epoch);
            assertPermutation(visit);
            for (int j = 0; j < size; j++) {
                assertTrue(visit[j] < j + window, "position " + j + " visits " + visit[j]);
            }
            assertArrayEquals(visit, new DataOrder(11, size, window).epochOrder(epoch));
        }
        assertFalse(Arrays.equals(order.epochOrder(0), order.epochOrder(1)));
    }

    @Test
    void aboveTheWindowPairsStillMoveAcrossIt() {
        int[] visit = new DataOrder(3, 2_000, 100).epochOrder(0);
        int farBack = 0;
        for (int j = 0; j < visit.length; j++) {
            if (visit[j] < j - 100) {
                farBack++;
            }
        }
        // a pair waits in the buffer for about a window's positions; some wait several, none need the future
        assertTrue(farBack > 50, "pairs visited over a window late: " + farBack);
    }

    private static void assertPermutation(int[] order) {
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }
}
