package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one record of a pair's reference log-probs: what the reference caches and the trainer trains against. */
class PairLogProbsTest {

    private static PairLogProbs perToken() {
        return new PairLogProbs(-1.5, -3.0, 1, 2, new float[] {-1.5f}, new float[] {-1f, -2f});
    }

    @Test
    void perTokenLogProbsComeForBothCompletionsOrNeither() {
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> new PairLogProbs(-1, -2, 1, 1, new float[] {-1f}, null));
        assertEquals("per-token log-probs must be given for both completions or neither", one.getMessage());
        assertFalse(new PairLogProbs(-1, -2, 1, 1, null, null).hasTokenLogps());
    }

    @Test
    void perTokenLogProbsCoverTheTokenCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PairLogProbs(-1, -2, 2, 2, new float[] {-1f}, new float[] {-1f, -1f}));
        assertEquals("per-token log-probs have 1/2 entries for 2/2 tokens", e.getMessage());
    }

    @Test
    void equalityComparesArrayContents() {
        assertEquals(perToken(), perToken());
        assertEquals(perToken().hashCode(), perToken().hashCode());
        assertNotEquals(perToken(), perToken().withoutTokenLogps());
        assertNotEquals(perToken(), new PairLogProbs(-1.5, -3.0, 1, 2, new float[] {-1.5f}, new float[] {-1f, -2.5f}));
    }

    @Test
    void wireListsBecomeArraysAndNullListsNone() {
        PairLogProbs fromLists = PairLogProbs.of(-1.5, -3.0, 1, 2, List.of(-1.5f), List.of(-1f, -2f));
        assertEquals(perToken(), fromLists);
        assertArrayEquals(new float[] {-1f, -2f}, fromLists.rejectedTokenLogps());
        PairLogProbs sums = PairLogProbs.of(-1.5, -3.0, 1, 2, null, null);
        assertEquals(perToken().withoutTokenLogps(), sums);
        assertTrue(fromLists.hasTokenLogps());
        assertFalse(sums.hasTokenLogps());
    }
}
