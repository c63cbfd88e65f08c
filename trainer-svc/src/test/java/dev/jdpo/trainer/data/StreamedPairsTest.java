package dev.jdpo.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.model.logprob.PairTokens;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StreamedPairsTest {

    private static TrainingPair pair(int id) {
        return new TrainingPair(new PairTokens(new int[] {id}, new int[] {id + 1}, new int[] {id + 2}), null);
    }

    @Test
    void pairsComeOutInArrivalOrderAndTheCountTakenIsToldAfterEachBatchAndBeforeEachWait() throws Exception {
        List<Long> told = new CopyOnWriteArrayList<>();
        StreamedPairs pairs = new StreamedPairs(5, "abc", told::add);
        TrainingPair a = pair(1);
        TrainingPair b = pair(2);
        TrainingPair c = pair(3);
        pairs.deliver(a);
        pairs.deliver(b);
        List<TrainingPair> first = pairs.next(DataCursor.START, 2);
        assertSame(a, first.get(0));
        assertSame(b, first.get(1));
        assertEquals(List.of(2L), told, "one count per batch");
        pairs.deliver(c);
        // the sender waits for the count before it sends the fourth pair: it must hear 3 before the wait
        Thread late = new Thread(() -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!told.contains(3L) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            pairs.deliver(pair(4));
        });
        late.start();
        List<TrainingPair> second = pairs.next(new DataCursor(0, 2), 2);
        late.join();
        assertSame(c, second.get(0));
        assertEquals(List.of(2L, 3L, 4L), told);
        assertEquals(5, pairs.size());
        assertEquals("abc", pairs.fingerprint());
    }

    @Test
    void aClosedStreamEndsAWaitingTakeWithNull() throws Exception {
        StreamedPairs pairs = new StreamedPairs(4, "abc", total -> { });
        pairs.deliver(pair(1));
        Thread closer = new Thread(pairs::close);
        closer.start();
        assertNull(pairs.next(DataCursor.START, 2), "the second pair never comes");
        closer.join();
    }

    @Test
    void heldPairsVisitTheSeededShuffle() {
        List<TrainingPair> all = List.of(pair(0), pair(10), pair(20), pair(30), pair(40));
        HeldPairs held = new HeldPairs(all, 7, DataOrder.DEFAULT_WINDOW);
        int[] order = new DataOrder(7, 5, DataOrder.DEFAULT_WINDOW).epochOrder(1);
        List<TrainingPair> batch = held.next(new DataCursor(1, 2), 3);
        for (int i = 0; i < 3; i++) {
            assertSame(all.get(order[2 + i]), batch.get(i));
        }
        assertThrows(IllegalArgumentException.class, () -> new StreamedPairs(0, "abc", total -> { }));
    }
}
