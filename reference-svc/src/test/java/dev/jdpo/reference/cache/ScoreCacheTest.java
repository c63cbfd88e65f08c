package dev.jdpo.reference.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.reference.ReferenceIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCacheTest {

    private static final String FP = "fingerprint-a";
    private static final ReferenceIdentity REF = new ReferenceIdentity(FP, "tok", "FP32");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void entriesSurviveReopeningAndCountHitsAndMisses() throws Exception {
        PairLogProbs value = logProbs(1, false);
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertTrue(cache.lookup(FP, key(1), false).isEmpty());
            cache.store(FP, key(1), value);
        }
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertEquals(Optional.of(value), cache.lookup(FP, key(1), false));
            assertTrue(cache.lookup(FP, key(2), false).isEmpty());
            assertTrue(cache.lookup("other-reference", key(1), false).isEmpty());
            CacheStats stats = cache.stats();
            assertEquals(1, stats.hits());
            assertEquals(2, stats.misses());
            assertEquals(0, stats.corrupt());
            assertEquals(1, stats.entries());
            assertTrue(stats.valueBytes() > 0);
            assertTrue(stats.fileBytes() > 0);
            assertEquals(java.util.Map.of(FP, 1L), cache.entriesPerReference());
        }
    }

    @Test
    void anEntryWithoutPerTokenLogpsMissesWhenTheyAreNeededAndIsUpgraded() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            cache.store(FP, key(1), logProbs(1, false));
            assertTrue(cache.lookup(FP, key(1), true).isEmpty());
            cache.store(FP, key(1), logProbs(1, true));
            assertTrue(cache.lookup(FP, key(1), true).orElseThrow().hasTokenLogps());
            // callers that asked for sums only get sums only
            assertFalse(cache.lookup(FP, key(1), false).orElseThrow().hasTokenLogps());
            assertEquals(1, cache.stats().entries());
        }
    }

    @Test
    void aCorruptedValueIsDetectedCountedRemovedAndNeverReturned() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            cache.store(FP, key(1), logProbs(1, true));
            cache.store(FP, key(2), logProbs(2, true));
        }
        flipByteOfStoredValue(key(1), 20);
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertTrue(cache.lookup(FP, key(1), true).isEmpty());
            assertEquals(Optional.of(logProbs(2, true)), cache.lookup(FP, key(2), true));
            CacheStats stats = cache.stats();
            assertEquals(1, stats.corrupt());
            assertEquals(1, stats.misses());
            assertEquals(1, stats.entries(), "the corrupt entry is removed");
            // a second lookup is an ordinary miss, not a second corruption
            assertTrue(cache.lookup(FP, key(1), true).isEmpty());
            assertEquals(1, cache.stats().corrupt());
        }
    }

    @Test
    void pruneByReferenceFingerprintDropsOnlyThatReference() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            cache.store(FP, key(1), logProbs(1, false));
            cache.store(FP, key(2), logProbs(2, false));
            cache.store("fingerprint-b", key(1), logProbs(3, false));
            PruneResult result = cache.prune(new PruneRule(FP, null, null));
            assertEquals(2, result.removedEntries());
            assertEquals(1, result.after().entries());
            assertTrue(cache.lookup(FP, key(1), false).isEmpty());
            assertTrue(cache.lookup("fingerprint-b", key(1), false).isPresent());
        }
    }

    @Test
    void pruneOlderThanKeepsEntriesUsedRecently() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            cache.store(FP, key(1), logProbs(1, false));
            cache.store(FP, key(2), logProbs(2, false));
            clock.advance(Duration.ofDays(10));
            cache.lookup(FP, key(2), false);   // a hit refreshes the last-use time
            clock.advance(Duration.ofDays(1));
            PruneResult result = cache.prune(new PruneRule(null, Duration.ofDays(5), null));
            assertEquals(1, result.removedEntries());
            assertTrue(cache.lookup(FP, key(1), false).isEmpty());
            assertTrue(cache.lookup(FP, key(2), false).isPresent());
        }
    }

    @Test
    void pruneToMaxSizeRemovesLeastRecentlyUsedFirst() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            for (int i = 0; i < 10; i++) {
                cache.store(FP, key(i), logProbs(i, false));
                clock.advance(Duration.ofHours(2));
            }
            long perEntry = cache.stats().valueBytes() / 10;
            PruneResult result = cache.prune(new PruneRule(null, null, 4 * perEntry));
            assertEquals(6, result.removedEntries());
            assertEquals(4 * perEntry, result.after().valueBytes());
            for (int i = 0; i < 10; i++) {
                assertEquals(i >= 6, cache.lookup(FP, key(i), false).isPresent(), "entry " + i);
            }
        }
    }

    @Test
    void pruningShrinksTheFileOnceClosedAndKeepsTheRest() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            for (int i = 0; i < 5000; i++) {
                cache.store(i % 10 == 0 ? FP : "fingerprint-b", key(i), logProbs(i, true));
            }
        }
        long filled = Files.size(dir.resolve(ScoreCache.FILE_NAME));
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertEquals(4500, cache.prune(new PruneRule("fingerprint-b", null, null)).removedEntries());
        }
        long pruned = Files.size(dir.resolve(ScoreCache.FILE_NAME));
        assertTrue(pruned < filled / 2, "file " + filled + " -> " + pruned + " bytes after removing 90% of entries");
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertEquals(500, cache.stats().entries());
            assertEquals(logProbs(10, true), cache.lookup(FP, key(10), true).orElseThrow());
        }
    }

    @Test
    void checkpointFingerprintsAreRemembered() throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            cache.rememberCheckpointFingerprint("sig", "fp", "/models/ref");
        }
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertEquals(Optional.of("fp"), cache.checkpointFingerprint("sig"));
            assertTrue(cache.checkpointFingerprint("other").isEmpty());
            assertEquals(Optional.of("/models/ref"), cache.modelPath("fp"));
            assertTrue(cache.modelPath("other").isEmpty());
        }
    }

    @Test
    void openExistingRefusesADirectoryWithoutACache() {
        CacheOpenException e = assertThrows(CacheOpenException.class, () -> ScoreCache.openExisting(dir, clock));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void aSecondOpenerGivesUpAfterItsWaitNamingTheFile() throws Exception {
        try (ScoreCache first = ScoreCache.open(dir, clock)) {
            CacheOpenException e = assertThrows(CacheOpenException.class,
                    () -> ScoreCache.open(dir, clock, Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains(ScoreCache.FILE_NAME), e.getMessage());
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
        }
    }

    @Test
    void aSecondOpenerWaitsForTheFirstAndSeesItsEntries() throws Exception {
        byte[] key = key(7);
        CompletableFuture<Boolean> secondSawEntry;
        try (ScoreCache first = ScoreCache.open(dir, clock)) {
            first.store(FP, key, logProbs(7, false));
            secondSawEntry = CompletableFuture.supplyAsync(() -> {
                try (ScoreCache second = ScoreCache.open(dir, clock, Duration.ofSeconds(30))) {
                    return second.lookup(FP, key, false).isPresent();
                } catch (CacheOpenException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertFalse(secondSawEntry.isDone(), "the second opener waits while the first holds the file");
        }
        assertTrue(secondSawEntry.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anUnreadableCacheFileIsMovedAsideAndANewCacheStarts() throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve(ScoreCache.FILE_NAME), new byte[8192]);
        try (ScoreCache cache = ScoreCache.open(dir, clock)) {
            assertTrue(cache.lookup(FP, key(1), false).isEmpty());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString()
                    .startsWith(ScoreCache.FILE_NAME + ".corrupt-")).count(), "the damaged file is kept aside");
        }
    }

    /** Rewrites one stored value with a flipped byte, through MVStore itself, as disk or memory damage would. */
    private void flipByteOfStoredValue(byte[] key, int offset) {
        try (MVStore store = new MVStore.Builder().fileName(dir.resolve(ScoreCache.FILE_NAME).toString()).open()) {
            MVMap<byte[], byte[]> map = store.openMap(ScoreCache.SCORE_MAP_PREFIX + FP);
            byte[] value = map.get(key).clone();
            value[offset] ^= 0x5a;
            map.put(key, value);
        }
    }

    private static byte[] key(int i) {
        return CacheKeys.key(REF, new int[] {i}, new int[] {i + 1}, new int[] {i + 2});
    }

    private static PairLogProbs logProbs(int i, boolean tokens) {
        return new PairLogProbs(-i - 0.5, -i - 1.25, 2, 1, tokens ? new float[] {-i, -0.5f} : null,
                tokens ? new float[] {-i - 1.25f} : null);
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
