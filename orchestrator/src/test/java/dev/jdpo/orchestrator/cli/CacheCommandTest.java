package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.reference.ReferenceIdentity;
import dev.jdpo.reference.cache.CacheKeys;
import dev.jdpo.reference.cache.ScoreCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jdpo cache stats|prune} on a cache written through the reference module's API. */
class CacheCommandTest {

    private static final String REF_A = "a".repeat(64);
    private static final String REF_B = "b".repeat(64);

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    private static Result jdpo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Writes {@code n} entries of reference {@code fp}, last used at {@code when}. */
    private void fill(String fp, int from, int n, Instant when) throws Exception {
        try (ScoreCache cache = ScoreCache.open(dir, Clock.fixed(when, ZoneOffset.UTC))) {
            ReferenceIdentity ref = new ReferenceIdentity(fp, "tok", "FP32");
            for (int i = from; i < from + n; i++) {
                cache.store(fp, CacheKeys.key(ref, new int[] {i}, new int[] {1}, new int[] {2}),
                        new PairLogProbs(-1, -2, 1, 1, null, null));
            }
        }
    }

    private long entries() throws Exception {
        try (ScoreCache cache = ScoreCache.openExisting(dir, Clock.systemUTC())) {
            return cache.stats().entries();
        }
    }

    @Test
    void statsListsEntriesPerReference() throws Exception {
        fill(REF_A, 0, 3, Instant.now());
        fill(REF_B, 0, 2, Instant.now());
        Result r = jdpo("cache", "stats", "--cache", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("entries     5"), r.out());
        assertTrue(r.out().contains("references  2"), r.out());
        assertTrue(r.out().contains(REF_A + "  3") && r.out().contains(REF_B + "  2"), r.out());
    }

    @Test
    void statsNamesEachReferenceByItsModelDirectory() throws Exception {
        fill(REF_A, 0, 3, Instant.now());
        fill(REF_B, 0, 2, Instant.now());
        try (ScoreCache cache = ScoreCache.open(dir)) {
            cache.rememberCheckpointFingerprint("/models/ref-a|config.json:10:0", REF_A, "/models/ref-a");
        }
        Result r = jdpo("cache", "stats", "--cache", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(REF_A + "  3  /models/ref-a\n"), r.out());
        assertTrue(r.out().contains(REF_B + "  2  (model path not recorded)\n"), r.out());
    }

    @Test
    void statsReadsACopyWhileAnotherOpenerHoldsTheCache() throws Exception {
        fill(REF_A, 0, 3, Instant.now());
        fill(REF_B, 0, 2, Instant.now());
        // a reference server holds its cache for as long as it runs; stats once failed beside it
        try (ScoreCache held = ScoreCache.open(dir)) {
            Result r = jdpo("cache", "stats", "--cache", dir.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("(in use by another process: read from a copy taken now)"), r.out());
            assertTrue(r.out().contains("entries     5"), r.out());
            assertTrue(r.out().contains(REF_A + "  3") && r.out().contains(REF_B + "  2"), r.out());
            assertEquals(5, held.stats().entries(), "the holder keeps its cache");
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(ScoreCache.FILE_NAME),
                    files.map(file -> file.getFileName().toString()).toList(), "the copy is gone");
        }
        assertEquals(5, entries());
    }

    @Test
    void pruneLeavesASmallerFile() throws Exception {
        fill(REF_A, 0, 3000, Instant.now());
        fill(REF_B, 0, 300, Instant.now());
        long before = Files.size(dir.resolve(ScoreCache.FILE_NAME));
        Result r = jdpo("cache", "prune", "--cache", dir.toString(), "--reference-fingerprint", REF_A);
        assertEquals(0, r.exit(), r.err());
        long after = Files.size(dir.resolve(ScoreCache.FILE_NAME));
        assertTrue(after < before / 2, before + " -> " + after + " bytes");
        assertTrue(r.out().contains("file        ") && r.out().contains(" -> " + CacheCommand.bytes(after)), r.out());
        assertEquals(300, entries());
    }

    @Test
    void pruneByReferenceFingerprintKeepsTheOtherReference() throws Exception {
        fill(REF_A, 0, 3, Instant.now());
        fill(REF_B, 0, 2, Instant.now());
        Result r = jdpo("cache", "prune", "--cache", dir.toString(), "--reference-fingerprint", REF_A);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("removed     3 entries"), r.out());
        assertEquals(2, entries());
    }

    @Test
    void pruneOlderThanRemovesOnlyEntriesUnusedThatLong() throws Exception {
        fill(REF_A, 0, 4, Instant.now().minus(Duration.ofDays(40)));
        fill(REF_A, 100, 3, Instant.now());
        Result r = jdpo("cache", "prune", "--cache", dir.toString(), "--older-than", "30d");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("removed     4 entries"), r.out());
        assertEquals(3, entries());
    }

    @Test
    void pruneToMaxSizeKeepsTheMostRecentlyUsed() throws Exception {
        fill(REF_A, 0, 5, Instant.now().minus(Duration.ofDays(2)));
        fill(REF_A, 100, 5, Instant.now());
        long perEntry;
        try (ScoreCache cache = ScoreCache.openExisting(dir, Clock.systemUTC())) {
            perEntry = cache.stats().valueBytes() / 10;
        }
        Result r = jdpo("cache", "prune", "--cache", dir.toString(), "--max-size", String.valueOf(5 * perEntry));
        assertEquals(0, r.exit(), r.err());
        assertEquals(5, entries());
        try (ScoreCache cache = ScoreCache.openExisting(dir, Clock.systemUTC())) {
            ReferenceIdentity ref = new ReferenceIdentity(REF_A, "tok", "FP32");
            assertTrue(cache.lookup(REF_A, CacheKeys.key(ref, new int[] {100}, new int[] {1}, new int[] {2}), false)
                    .isPresent());
            assertTrue(cache.lookup(REF_A, CacheKeys.key(ref, new int[] {0}, new int[] {1}, new int[] {2}), false)
                    .isEmpty());
        }
    }

    @Test
    void aMissingCacheIsAOneLineErrorWithoutAStackTrace() {
        Result r = jdpo("cache", "stats", "--cache", dir.resolve("nowhere").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("jdpo: no reference cache in "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void pruneNeedsACriterion() throws Exception {
        fill(REF_A, 0, 1, Instant.now());
        Result r = jdpo("cache", "prune", "--cache", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nothing to prune"), r.err());
        assertEquals(1, entries());
    }

    @Test
    void sizesAndDurationsParseInTheUsualForms() {
        CacheCommand.ByteSizeConverter size = new CacheCommand.ByteSizeConverter();
        assertEquals(1048576L, size.convert("1048576"));
        assertEquals(500L << 20, size.convert("500M"));
        assertEquals(2L << 30, size.convert("2GiB"));
        assertEquals(10L << 10, size.convert("10kb"));
        assertThrows(CommandLine.TypeConversionException.class, () -> size.convert("ten"));
        assertThrows(CommandLine.TypeConversionException.class, () -> size.convert("99999999999T"));
        CacheCommand.DurationConverter duration = new CacheCommand.DurationConverter();
        assertEquals(Duration.ofDays(30), duration.convert("30d"));
        assertEquals(Duration.ofHours(12), duration.convert("12h"));
        assertEquals(Duration.ofDays(7), duration.convert("P7D"));
        assertThrows(CommandLine.TypeConversionException.class, () -> duration.convert("soon"));
        assertEquals("1.5 KiB (1536 bytes)", CacheCommand.bytes(1536));
    }
}
