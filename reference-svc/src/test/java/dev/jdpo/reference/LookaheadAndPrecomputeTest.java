package dev.jdpo.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LookaheadAndPrecomputeTest {

    /** A scorer whose numbers are a function of the pair index, so order mistakes show. */
    private static final class IndexScorer implements PairScorer {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public List<PairScore> score(List<TokenizedPair> pairs, boolean perToken) {
            calls.incrementAndGet();
            return pairs.stream().map(p -> new PairScore(p.getIndex(),
                    new PairLogProbs(-p.getIndex(), -2.0 * p.getIndex(), 1, 1, null, null), false)).toList();
        }
    }

    /** A source that counts how far it has been read. */
    private static final class CountingSource implements Iterator<TokenizedPair> {
        final AtomicInteger read = new AtomicInteger();
        final int size;

        CountingSource(int size) {
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return read.get() < size;
        }

        @Override
        public TokenizedPair next() {
            return TestPairs.pair(read.getAndIncrement(), new int[] {1}, new int[] {2}, new int[] {3});
        }
    }

    @Test
    void streamingKeepsSourceOrderAndReadsNoFurtherAheadThanTheWindow() throws Exception {
        CountingSource source = new CountingSource(100);
        int chunk = 5;
        int lookahead = 2;
        try (LookaheadScorer stream = new LookaheadScorer(new IndexScorer(), source, chunk, lookahead, false)) {
            // nothing consumed: the worker fills the queue, builds one more chunk, and blocks
            int bound = (lookahead + 1) * chunk;
            waitUntil(() -> source.read.get() >= bound);
            Thread.sleep(200);
            assertEquals(bound, source.read.get());

            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ReferencedPair p = stream.next();
                seen.add(p.pair().getIndex());
                assertEquals(-p.pair().getIndex(), p.score().logProbs().chosenLogp());
                assertTrue(source.read.get() <= bound + chunk * (i / chunk + 1), "read ahead " + source.read.get());
            }
            while (stream.hasNext()) {
                seen.add(stream.next().pair().getIndex());
            }
            assertEquals(100, seen.size());
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(i, seen.get(i));
            }
            assertFalse(stream.hasNext());
        }
    }

    @Test
    void aScoringFailureSurfacesInTheConsumer() {
        PairScorer failing = (pairs, perToken) -> {
            throw new InvalidPairException("pair " + pairs.get(0).getIndex() + ": broken");
        };
        try (LookaheadScorer stream = new LookaheadScorer(failing, new CountingSource(10), 4, 1, false)) {
            InvalidPairException e = assertThrows(InvalidPairException.class, stream::hasNext);
            assertEquals("pair 0: broken", e.getMessage());
        }
    }

    @Test
    void precomputeScoresEveryPairOnceInChunks() {
        IndexScorer scorer = new IndexScorer();
        PrecomputedScores scores = ReferencePrecompute.run(scorer, new CountingSource(23), 10, false);
        assertEquals(23, scores.size());
        assertEquals(3, scorer.calls.get());
        for (int i = 0; i < 23; i++) {
            assertEquals(-2.0 * i, scores.get(i).orElseThrow().logProbs().rejectedLogp());
        }
        TokenizedPair seven = TestPairs.pair(7, new int[] {1}, new int[] {2}, new int[] {3});
        assertEquals(-7.0, scores.attach(seven).toProto().getReference().getChosenLogp());
        assertThrows(IllegalStateException.class,
                () -> scores.attach(TestPairs.pair(99, new int[] {1}, new int[] {2}, new int[] {3})));
    }

    @Test
    void precomputeRejectsDuplicatePairIndices() {
        Iterator<TokenizedPair> twice = List.of(TestPairs.pair(3, new int[] {1}, new int[] {2}, new int[] {3}),
                TestPairs.pair(3, new int[] {4}, new int[] {5}, new int[] {6})).iterator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferencePrecompute.run(new IndexScorer(), twice, 8, false));
        assertTrue(e.getMessage().contains("pair index 3"), e.getMessage());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 5 s");
            }
            Thread.sleep(10);
        }
    }
}
