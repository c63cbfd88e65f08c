package dev.jdpo.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.CacheKeys;
import dev.jdpo.reference.cache.CacheStats;
import dev.jdpo.reference.cache.ScoreCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalReferenceScorerTest {

    private static final int VOCAB = 512;

    @TempDir
    Path cacheDir;

    @Test
    void matchesTransformersOnTheGoldenPairs() throws Exception {
        List<TestPairs.GoldenPair> golden = TestPairs.goldenReference();
        List<PairScore> scores = TinyReference.scorer().score(golden.stream().map(TestPairs.GoldenPair::pair).toList(), true);
        for (int i = 0; i < golden.size(); i++) {
            TestPairs.GoldenPair g = golden.get(i);
            PairLogProbs p = scores.get(i).logProbs();
            assertEquals(g.chosenLogp(), p.chosenLogp(), 1e-3, "chosen logp of golden pair " + i);
            assertEquals(g.rejectedLogp(), p.rejectedLogp(), 1e-3, "rejected logp of golden pair " + i);
            assertEquals(g.pair().tokens().chosenIds().length, p.chosenTokens());
            for (int t = 0; t < g.chosenTokenLogps().length; t++) {
                assertEquals(g.chosenTokenLogps()[t], p.chosenTokenLogps()[t], 1e-4, "pair " + i + " token " + t);
            }
        }
    }

    @Test
    void aSecondPassOverTheSameDataRunsNoForwardPass() throws Exception {
        List<IndexedPair> pairs = TestPairs.random(40, 11, VOCAB, 20, 20);
        List<PairScore> first;
        try (ScoreCache cache = ScoreCache.open(cacheDir)) {
            LocalReferenceScorer scorer = TinyReference.scorer(cache, new BatchLimits(256, 8));
            first = scorer.score(pairs, false);
            assertTrue(scorer.stats().forwardPasses() > 0);
            assertTrue(first.stream().noneMatch(PairScore::cacheHit));
        }
        // a new scorer on the reopened cache: the "rerun" of a training job
        try (ScoreCache cache = ScoreCache.open(cacheDir)) {
            LocalReferenceScorer rerun = TinyReference.scorer(cache, new BatchLimits(256, 8));
            List<PairScore> second = rerun.score(pairs, false);
            assertEquals(0, rerun.stats().forwardPasses());
            assertEquals(0, rerun.stats().sequencesScored());
            assertEquals(pairs.size(), rerun.stats().cache().hits());
            assertTrue(second.stream().allMatch(PairScore::cacheHit));
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(first.get(i).logProbs(), second.get(i).logProbs());
            }
        }
    }

    @Test
    void scoresDoNotDependOnBatchComposition() {
        List<IndexedPair> pairs = TestPairs.random(30, 5, VOCAB, 24, 24);
        List<PairScore> alone = new ArrayList<>();
        for (IndexedPair p : pairs) {
            alone.addAll(TinyReference.scorer(ScoreCache.inMemory(), BatchLimits.defaults()).score(List.of(p), true));
        }
        List<IndexedPair> shuffled = new ArrayList<>(pairs);
        Collections.shuffle(shuffled, new Random(1));
        for (BatchLimits limits : List.of(new BatchLimits(64, 64), new BatchLimits(512, 5), new BatchLimits(4096, 64))) {
            List<PairScore> batched = TinyReference.scorer(ScoreCache.inMemory(), limits).score(shuffled, true);
            for (int i = 0; i < shuffled.size(); i++) {
                int original = (int) shuffled.get(i).index();
                PairLogProbs a = alone.get(original).logProbs();
                PairLogProbs b = batched.get(i).logProbs();
                assertEquals(a.chosenLogp(), b.chosenLogp(), 1e-6, "chosen of pair " + original + " under " + limits);
                assertEquals(a.rejectedLogp(), b.rejectedLogp(), 1e-6, "rejected of pair " + original + " under " + limits);
                for (int t = 0; t < a.chosenTokens(); t++) {
                    assertEquals(a.chosenTokenLogps()[t], b.chosenTokenLogps()[t], 1e-6);
                }
            }
        }
    }

    @Test
    void aCorruptedEntryIsDetectedRescoredAndReported() throws Exception {
        List<IndexedPair> pairs = TestPairs.random(6, 21, VOCAB, 10, 10);
        List<PairScore> original;
        try (ScoreCache cache = ScoreCache.open(cacheDir)) {
            original = TinyReference.scorer(cache, BatchLimits.defaults()).score(pairs, false);
        }
        byte[] damagedKey = CacheKeys.key(TinyReference.identity(), pairs.get(3).tokens().promptIds(),
                pairs.get(3).tokens().chosenIds(), pairs.get(3).tokens().rejectedIds());
        try (MVStore store = new MVStore.Builder().fileName(cacheDir.resolve(ScoreCache.FILE_NAME).toString()).open()) {
            MVMap<byte[], byte[]> map = store.openMap("scores/" + TinyReference.identity().weightsFingerprint());
            byte[] value = map.get(damagedKey).clone();
            value[value.length / 2] ^= (byte) 0xff;
            value[value.length / 2 + 1] ^= (byte) 0x0f;
            map.put(damagedKey, value);
        }
        try (ScoreCache cache = ScoreCache.open(cacheDir)) {
            LocalReferenceScorer scorer = TinyReference.scorer(cache, BatchLimits.defaults());
            List<PairScore> again = scorer.score(pairs, false);
            ScorerStats stats = scorer.stats();
            CacheStats cacheStats = stats.cache();
            assertEquals(1, cacheStats.corrupt());
            assertEquals(5, cacheStats.hits());
            assertEquals(1, stats.forwardPasses(), "only the damaged pair is rescored");
            assertEquals(2, stats.sequencesScored());
            assertFalse(again.get(3).cacheHit());
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(original.get(i).logProbs(), again.get(i).logProbs(), "pair " + i);
            }
            // the rescored value replaced the damaged one
            assertTrue(cache.lookup(TinyReference.identity().weightsFingerprint(), damagedKey, false).isPresent());
            assertEquals(1, cache.stats().corrupt());
        }
    }

    @Test
    void perTokenLogpsSumToTheSequenceLogpAndUpgradeCachedSums() {
        List<IndexedPair> pairs = TestPairs.random(5, 8, VOCAB, 8, 12);
        LocalReferenceScorer scorer = TinyReference.scorer();
        List<PairScore> sums = scorer.score(pairs, false);
        assertFalse(sums.get(0).logProbs().hasTokenLogps());
        List<PairScore> perToken = scorer.score(pairs, true);
        for (int i = 0; i < pairs.size(); i++) {
            PairLogProbs p = perToken.get(i).logProbs();
            assertFalse(perToken.get(i).cacheHit(), "sums-only entries cannot answer a per-token request");
            assertEquals(pairs.get(i).tokens().rejectedIds().length, p.rejectedTokenLogps().length);
            double sum = 0;
            for (float f : p.chosenTokenLogps()) {
                sum += f;
            }
            assertEquals(p.chosenLogp(), sum, 1e-9);
            assertEquals(sums.get(i).logProbs().chosenLogp(), p.chosenLogp());
        }
        assertTrue(scorer.score(pairs, true).stream().allMatch(PairScore::cacheHit));
    }

    @Test
    void identicalPairsInOneRequestAreScoredOnce() {
        List<IndexedPair> one = TestPairs.random(1, 4, VOCAB, 6, 6);
        IndexedPair copy = new IndexedPair(7, one.get(0).sourceLine(), one.get(0).tokens());
        LocalReferenceScorer scorer = TinyReference.scorer();
        List<PairScore> scores = scorer.score(List.of(one.get(0), copy), false);
        assertEquals(2, scorer.stats().sequencesScored());
        assertEquals(7, scores.get(1).index());
        assertEquals(scores.get(0).logProbs(), scores.get(1).logProbs());
    }

    @Test
    void badPairsAreRejectedWithTheirIndexAndField() {
        LocalReferenceScorer scorer = TinyReference.scorer();
        InvalidPairException outOfVocab = assertThrows(InvalidPairException.class, () -> scorer.score(
                List.of(TestPairs.pair(42, new int[] {1, 2}, new int[] {3, VOCAB}, new int[] {4})), false));
        assertTrue(outOfVocab.getMessage().contains("pair 42"), outOfVocab.getMessage());
        assertTrue(outOfVocab.getMessage().contains("chosen_ids[1] = 512"), outOfVocab.getMessage());
        InvalidPairException empty = assertThrows(InvalidPairException.class, () -> scorer.score(
                List.of(TestPairs.pair(3, new int[] {1}, new int[] {2}, new int[0])), false));
        assertTrue(empty.getMessage().contains("rejected_ids is empty"), empty.getMessage());
        assertEquals(0, scorer.stats().forwardPasses());
    }

    @Test
    void keysIgnoreThePairIndexSoReorderedDatasetsStillHit() {
        List<IndexedPair> pairs = TestPairs.random(4, 2, VOCAB, 5, 5);
        ScoreCache cache = ScoreCache.inMemory();
        TinyReference.scorer(cache, BatchLimits.defaults()).score(pairs, false);
        List<IndexedPair> renumbered = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            IndexedPair pair = pairs.get(pairs.size() - 1 - i);
            renumbered.add(new IndexedPair(100 + i, pair.sourceLine(), pair.tokens()));
        }
        LocalReferenceScorer rerun = TinyReference.scorer(cache, BatchLimits.defaults());
        List<PairScore> scores = rerun.score(renumbered, false);
        assertEquals(0, rerun.stats().forwardPasses());
        assertArrayEquals(new long[] {100, 101, 102, 103}, scores.stream().mapToLong(PairScore::index).toArray());
    }
}
