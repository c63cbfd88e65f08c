package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.TrainingPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window gives out exactly the pairs the trainer's remaining steps take, in the visit order from where it opened,
 * whether that limit is known when it opens (a resumed job) or arrives later (a new job's window opens before the
 * trainer started), and at any position, across epochs.
 */
class ScoringWindowTest {

    private static final int PAIRS = 40;
    private static final int WINDOW = 4;

    @TempDir
    Path tmp;

    /** A pair's prompt is its index in the store, so a given-out pair names itself. */
    private PairStore store() throws Exception {
        try (PairStore.Writer writer = PairStore.writer(tmp)) {
            int[] order = new int[PAIRS];
            for (int i = 0; i < PAIRS; i++) {
                writer.add(new EncodedPair(i + 1, new int[] {i}, new int[] {1}, new int[] {2}, false));
                order[i] = i;
            }
            return writer.finish(order, PAIRS, DataOrder.DEFAULT_WINDOW);
        }
    }

    /** The trainer's side: how many pairs it took; records the counts the window waits for. */
    private static final class Trainer implements ScoringWindow.Taken {
        private long taken;
        private final CountDownLatch waitedForMore = new CountDownLatch(1);

        @Override
        public synchronized boolean await(long count, long millis) throws InterruptedException {
            if (count > taken) {
                waitedForMore.countDown();
                if (millis > 0) {
                    wait(millis);
                }
            }
            return count <= taken;
        }

        synchronized void took(long count) {
            taken = count;
            notifyAll();
        }
    }

    @Test
    void aWindowOpenedAtAResumedPositionBeforeItsLimitIsKnownGivesExactlyThePairsOfTheLimit() throws Exception {
        DataOrder order = new DataOrder(3, PAIRS, DataOrder.DEFAULT_WINDOW);
        Trainer trainer = new Trainer();
        try (PairStore store = store();
             ScoringWindow window = new ScoringWindow(store, order, 0, 5, null, false, WINDOW, OptionalLong.empty(),
                     trainer)) {
            List<Integer> given = take(window, WINDOW);
            // the window holds the first chunk and waits for the trainer before the next: the limit arrives now
            assertTrue(trainer.waitedForMore.await(10, TimeUnit.SECONDS), "the window waits for room");
            window.limit(6);
            trainer.took(WINDOW);
            given.addAll(take(window, 2));
            trainer.took(Long.MAX_VALUE);
            assertNull(window.poll(), "no pair past the limit");
            assertEquals(visits(order, 0, 5, 6), given);
        }
    }

    @Test
    void aLimitKnownAtOpeningEndsTheWindowAcrossTheEpochBoundary() throws Exception {
        DataOrder order = new DataOrder(3, PAIRS, DataOrder.DEFAULT_WINDOW);
        Trainer trainer = new Trainer();
        try (PairStore store = store();
             ScoringWindow window = new ScoringWindow(store, order, 1, PAIRS - 3, null, false, WINDOW,
                     OptionalLong.of(7), trainer)) {
            // the trainer takes each pair as it is given: a trainer said to have taken pairs it was never given
            // let the window queue more than its room, and it failed at random ("Queue full")
            List<Integer> given = new ArrayList<>();
            while (given.size() < 7) {
                given.addAll(take(window, 1));
                trainer.took(given.size());
            }
            assertNull(window.poll(), "no pair past the limit");
            assertEquals(visits(order, 1, PAIRS - 3, 7), given, "3 of epoch 1, then 4 of epoch 2");
        }
    }

    @Test
    void aLimitBelowWhatWasScoredBeforeItArrivedEndsTheWindow() throws Exception {
        DataOrder order = new DataOrder(3, PAIRS, DataOrder.DEFAULT_WINDOW);
        Trainer trainer = new Trainer();
        try (PairStore store = store();
             ScoringWindow window = new ScoringWindow(store, order, 0, 0, null, false, WINDOW, OptionalLong.empty(),
                     trainer)) {
            List<Integer> given = take(window, WINDOW);
            assertTrue(trainer.waitedForMore.await(10, TimeUnit.SECONDS), "the window waits for room");
            window.limit(2);
            trainer.took(Long.MAX_VALUE);
            assertNull(window.poll(), "nothing more once the limit is below what was given");
            assertEquals(visits(order, 0, 0, WINDOW), given);
        }
    }

    /** The next {@code count} pairs' store indices, polling for at most 10 s. */
    private static List<Integer> take(ScoringWindow window, int count) throws Exception {
        List<Integer> given = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (given.size() < count && System.nanoTime() < deadline) {
            TrainingPair pair = window.poll();
            if (pair != null) {
                given.add(pair.tokens().promptIds()[0]);
            }
        }
        assertEquals(count, given.size(), "pairs given out: " + given);
        return given;
    }

    /** The store indices visited from (epoch, position) on, {@code count} of them. */
    private static List<Integer> visits(DataOrder order, int epoch, int position, int count) {
        List<Integer> visits = new ArrayList<>();
        for (int e = epoch; visits.size() < count; e++) {
            int[] visit = order.epochOrder(e);
            for (int at = e == epoch ? position : 0; at < visit.length && visits.size() < count; at++) {
                visits.add(visit[at]);
            }
        }
        return visits;
    }
}
