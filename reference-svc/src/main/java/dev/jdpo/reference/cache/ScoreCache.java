package dev.jdpo.reference.cache;

import dev.jdpo.model.logprob.PairLogProbs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.MVStoreTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent reference-score cache in one H2 MVStore file: one map per reference checkpoint
 * ({@code scores/<fingerprint>}), keyed by {@link CacheKeys}, each value checksummed by {@link CacheEntryCodec}.
 * A corrupt value is logged, counted, removed and reported as a miss, so the pair is rescored and never used.
 * Thread-safe; one process at a time (MVStore locks the file).
 */
public final class ScoreCache implements AutoCloseable {

    /** The file inside the cache directory. */
    public static final String FILE_NAME = "reference-cache.mv.db";

    private static final Logger LOG = LoggerFactory.getLogger(ScoreCache.class);
    /** How long {@link #open(Path, Clock)} waits for another process's run to finish scoring. */
    public static final Duration LOCK_WAIT = Duration.ofMinutes(30);
    /** How long {@link #openExisting} waits for the file. */
    public static final Duration INSPECT_LOCK_WAIT = Duration.ofSeconds(10);
    private static final Duration LOCK_RETRY = Duration.ofMillis(200);
    static final String SCORE_MAP_PREFIX = "scores/";
    private static final String FINGERPRINT_MAP = "checkpoint-fingerprints";
    private static final String MODEL_PATH_MAP = "reference-model-paths";
    // A hit rewrites the last-use time at most this often, so reads rarely turn into writes.
    private static final long TOUCH_INTERVAL_MILLIS = Duration.ofHours(1).toMillis();
    // MVStore is copy-on-write: random-key inserts leave superseded pages behind (about 2x the live data after a
    // large fill, measured), so a cache that was written to is compacted for up to this long when it closes.
    private static final int COMPACT_ON_CLOSE_MILLIS = 3_000;

    private final MVStore store;
    private final Path file;
    private final Clock clock;
    private final Map<String, MVMap<byte[], byte[]>> scoreMaps = new ConcurrentHashMap<>();
    private final MVMap<String, String> fingerprints;
    private final MVMap<String, String> modelPaths;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong valueBytes = new AtomicLong();
    private volatile boolean written;
    private volatile boolean pruned;
    private final boolean copy;

    private ScoreCache(MVStore store, Path file, Clock clock) {
        this(store, file, clock, false);
    }

    /** @param copy whether {@code file} is a copy of a cache, deleted on close */
    private ScoreCache(MVStore store, Path file, Clock clock, boolean copy) {
        this.store = store;
        this.file = file;
        this.clock = clock;
        this.copy = copy;
        this.fingerprints = store.openMap(FINGERPRINT_MAP);
        this.modelPaths = store.openMap(MODEL_PATH_MAP);
        for (String name : store.getMapNames()) {
            if (name.startsWith(SCORE_MAP_PREFIX)) {
                MVMap<byte[], byte[]> map = store.openMap(name);
                scoreMaps.put(name.substring(SCORE_MAP_PREFIX.length()), map);
                for (byte[] value : map.values()) {
                    entries.incrementAndGet();
                    valueBytes.addAndGet(value.length);
                }
            }
        }
    }

    /** Opens (creating if needed) the cache in {@code dir}. */
    public static ScoreCache open(Path dir) throws CacheOpenException {
        return open(dir, Clock.systemUTC());
    }

    /**
     * Opens (creating if needed) the cache in {@code dir}, reading time from {@code clock}; waits up to
     * {@link #LOCK_WAIT} while another process holds it.
     */
    public static ScoreCache open(Path dir, Clock clock) throws CacheOpenException {
        return open(dir, clock, LOCK_WAIT);
    }

    /**
     * Opens (creating if needed) the cache in {@code dir}. The file admits one process at a time, and a run holds it
     * only while it scores, so a second process waits (up to {@code lockWait}) and then finds the first one's
     * entries. A file that is not a readable cache is moved aside with a warning and a new one is started: every
     * entry is derivable from the reference model.
     */
    public static ScoreCache open(Path dir, Clock clock, Duration lockWait) throws CacheOpenException {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CacheOpenException("cannot create cache directory " + dir + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + lockWait.toNanos();
        boolean waiting = false;
        while (true) {
            try {
                return new ScoreCache(new MVStore.Builder().fileName(file.toString()).open(), file, clock);
            } catch (MVStoreException e) {
                if (e.getErrorCode() != DataUtils.ERROR_FILE_LOCKED) {
                    moveAside(file, e);
                    return openFresh(file, clock);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new CacheOpenException("reference cache " + file + " is still in use by another process "
                            + "after waiting " + lockWait.toSeconds() + " s", e);
                }
                if (!waiting) {
                    LOG.info("reference cache {} is in use by another process; waiting for it", file);
                    waiting = true;
                }
                sleepBeforeRetry(file);
            }
        }
    }

    private static void sleepBeforeRetry(Path file) throws CacheOpenException {
        try {
            Thread.sleep(LOCK_RETRY.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new CacheOpenException("interrupted while waiting for reference cache " + file, interrupted);
        }
    }

    private static void moveAside(Path file, MVStoreException damage) throws CacheOpenException {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
        try {
            Files.move(file, aside);
        } catch (IOException e) {
            throw new CacheOpenException("reference cache " + file + " is unreadable (" + damage.getMessage()
                    + ") and cannot be moved aside: " + e.getMessage(), e);
        }
        LOG.warn("reference cache {} is unreadable ({}); moved it to {} and starting a new cache (its entries are "
                + "scored again as needed)", file, damage.getMessage(), aside.getFileName());
    }

    private static ScoreCache openFresh(Path file, Clock clock) throws CacheOpenException {
        try {
            return new ScoreCache(new MVStore.Builder().fileName(file.toString()).open(), file, clock);
        } catch (MVStoreException e) {
            throw new CacheOpenException("cannot create reference cache " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the cache in {@code dir}, failing when there is none (for commands that only inspect or prune); these
     * wait only {@link #INSPECT_LOCK_WAIT} for another process, since a reference server holds its cache for good.
     */
    public static ScoreCache openExisting(Path dir, Clock clock) throws CacheOpenException {
        if (!Files.isRegularFile(dir.resolve(FILE_NAME))) {
            throw new CacheOpenException("no reference cache in " + dir + " (expected " + FILE_NAME + ")", null);
        }
        return open(dir, clock, INSPECT_LOCK_WAIT);
    }

    /**
     * The cache in {@code dir} to inspect: the file itself when no process holds it, else a copy taken now, deleted
     * when this closes. A reference server holds its cache for as long as it runs; MVStore's file lock does not stop
     * reading the bytes, and the copy opens at the last commit it holds (MVStore writes append-only chunks).
     */
    public static ScoreCache openForReading(Path dir, Clock clock) throws CacheOpenException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new CacheOpenException("no reference cache in " + dir + " (expected " + FILE_NAME + ")", null);
        }
        try {
            return new ScoreCache(new MVStore.Builder().fileName(file.toString()).open(), file, clock);
        } catch (MVStoreException e) {
            if (e.getErrorCode() != DataUtils.ERROR_FILE_LOCKED) {
                return open(dir, clock, Duration.ZERO);
            }
        }
        Path copy = null;
        try {
            copy = Files.createTempFile(dir, FILE_NAME + ".", ".copy");
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            return new ScoreCache(new MVStore.Builder().fileName(copy.toString()).open(), copy, clock, true);
        } catch (IOException | MVStoreException e) {
            deleteQuietly(copy);
            throw new CacheOpenException("reference cache " + file + " is in use by another process, and a copy of "
                    + "it cannot be read: " + e.getMessage(), e);
        }
    }

    /** Whether this is a copy of a cache another process held when it was opened ({@link #openForReading}). */
    public boolean isCopy() {
        return copy;
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete the cache copy {}: {}", file, e.getMessage());
        }
    }

    /** A cache that lives only as long as this object (tests, or a replica started without --cache). */
    public static ScoreCache inMemory() {
        return new ScoreCache(new MVStore.Builder().open(), null, Clock.systemUTC());
    }

    /**
     * The stored log-probs for {@code key}, if present, valid, and carrying per-token log-probs when those are needed.
     */
    public Optional<PairLogProbs> lookup(String referenceFingerprint, byte[] key, boolean needTokenLogps) {
        MVMap<byte[], byte[]> map = scoreMaps.get(referenceFingerprint);
        byte[] value;
        try {
            value = map == null ? null : map.get(key);
        } catch (MVStoreException e) {
            return corruptEntry(map, referenceFingerprint, key, null, "unreadable: " + e.getMessage());
        }
        if (value == null) {
            misses.incrementAndGet();
            return Optional.empty();
        }
        CacheEntryCodec.Entry entry;
        try {
            entry = CacheEntryCodec.decode(key, value);
        } catch (CorruptEntryException e) {
            return corruptEntry(map, referenceFingerprint, key, value, e.getMessage());
        }
        if (needTokenLogps && !entry.logProbs().hasTokenLogps()) {
            misses.incrementAndGet();
            return Optional.empty();
        }
        hits.incrementAndGet();
        long now = clock.millis();
        if (now - entry.lastUsedMillis() > TOUCH_INTERVAL_MILLIS) {
            write(map, key, CacheEntryCodec.encode(key, entry.logProbs(), now));
        }
        return Optional.of(needTokenLogps ? entry.logProbs() : entry.logProbs().withoutTokenLogps());
    }

    /** Stores (or replaces) the log-probs for {@code key}; a failing write is logged, never thrown at scoring. */
    public void store(String referenceFingerprint, byte[] key, PairLogProbs logProbs) {
        MVMap<byte[], byte[]> map = scoreMaps.computeIfAbsent(referenceFingerprint,
                fp -> store.openMap(SCORE_MAP_PREFIX + fp));
        try {
            write(map, key, CacheEntryCodec.encode(key, logProbs, clock.millis()));
        } catch (MVStoreException e) {
            LOG.warn("reference cache {}: could not store entry {}: {}", location(), CacheKeys.hex(key), e.getMessage());
        }
    }

    /** A checkpoint fingerprint remembered under its file signature (path, sizes, modification times). */
    public Optional<String> checkpointFingerprint(String fileSignature) {
        return Optional.ofNullable(fingerprints.get(fileSignature));
    }

    /**
     * Remembers a checkpoint fingerprint so the next start skips hashing the weights, and the model directory it
     * was computed for, so {@code jdpo cache stats} can name the reference by its path.
     */
    public void rememberCheckpointFingerprint(String fileSignature, String fingerprint, String modelPath) {
        fingerprints.put(fileSignature, fingerprint);
        modelPaths.put(fingerprint, modelPath);
    }

    /** The model directory a reference fingerprint was last computed for, if this cache saw it. */
    public Optional<String> modelPath(String fingerprint) {
        return Optional.ofNullable(modelPaths.get(fingerprint));
    }

    /** Entries per reference checkpoint fingerprint, for references that have any, sorted by fingerprint. */
    public SortedMap<String, Long> entriesPerReference() {
        SortedMap<String, Long> counts = new TreeMap<>();
        scoreMaps.forEach((fingerprint, map) -> {
            if (!map.isEmpty()) {
                counts.put(fingerprint, map.sizeAsLong());
            }
        });
        return counts;
    }

    /** Counters since opening and the current size. */
    public CacheStats stats() {
        long fileBytes = 0;
        if (file != null) {
            try {
                fileBytes = Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + file, e);
            }
        }
        return new CacheStats(hits.get(), misses.get(), corrupt.get(), entries.get(), valueBytes.get(), fileBytes);
    }

    /**
     * Removes what {@code rule} selects. The file shrinks when the cache is closed: MVStore's online compaction
     * appends the pages it moves, so it grows the file; rewriting the closed file is what gives the space back.
     */
    public synchronized PruneResult prune(PruneRule rule) {
        long removedEntries = 0;
        long removedBytes = 0;
        if (rule.referenceFingerprint() != null) {
            MVMap<byte[], byte[]> map = scoreMaps.remove(rule.referenceFingerprint());
            if (map != null) {
                for (byte[] value : map.values()) {
                    removedEntries++;
                    removedBytes += value.length;
                }
                store.removeMap(map);
                entries.addAndGet(-removedEntries);
                valueBytes.addAndGet(-removedBytes);
            }
        }
        List<StoredEntry> all = listEntries();
        long cutoff = rule.olderThan() == null ? Long.MIN_VALUE : clock.millis() - rule.olderThan().toMillis();
        long keptBytes = valueBytes.get();
        for (StoredEntry e : all) {
            boolean expired = e.lastUsedMillis() < cutoff;
            boolean overCap = rule.maxValueBytes() != null && keptBytes > rule.maxValueBytes();
            if (expired || overCap) {
                if (remove(e.map(), e.key()) != null) {
                    removedEntries++;
                    removedBytes += e.size();
                    keptBytes -= e.size();
                }
            }
        }
        store.commit();
        pruned |= removedEntries > 0;
        return new PruneResult(removedEntries, removedBytes, stats());
    }

    /** Writes pending changes to disk now (MVStore also does so in the background about once a second). */
    public void flush() {
        store.commit();
    }

    @Override
    public void close() {
        if (pruned && file != null) {
            store.close();
            MVStoreTool.compact(file.toString(), false);
        } else if (written && file != null) {
            store.close(COMPACT_ON_CLOSE_MILLIS);
        } else {
            store.close();
        }
        if (copy) {
            deleteQuietly(file);
        }
    }

    private String location() {
        return file == null ? "(in memory)" : file.toString();
    }

    private Optional<PairLogProbs> corruptEntry(MVMap<byte[], byte[]> map, String fingerprint, byte[] key,
                                                byte[] value, String why) {
        corrupt.incrementAndGet();
        misses.incrementAndGet();
        LOG.warn("reference cache {}: entry {} of reference {} is corrupt ({}); removed, the pair will be rescored",
                location(), CacheKeys.hex(key), fingerprint, why);
        try {
            if (value == null) {
                remove(map, key);
            } else if (map.remove(key, value)) {
                // only if unchanged: a concurrent rescore may already have replaced it with a good value
                entries.decrementAndGet();
                valueBytes.addAndGet(-value.length);
            }
        } catch (MVStoreException e) {
            LOG.warn("reference cache {}: could not remove corrupt entry {}: {}", location(), CacheKeys.hex(key),
                    e.getMessage());
        }
        return Optional.empty();
    }

    private void write(MVMap<byte[], byte[]> map, byte[] key, byte[] value) {
        written = true;
        byte[] old = map.put(key, value);
        if (old == null) {
            entries.incrementAndGet();
            valueBytes.addAndGet(value.length);
        } else {
            valueBytes.addAndGet(value.length - old.length);
        }
    }

    private byte[] remove(MVMap<byte[], byte[]> map, byte[] key) {
        byte[] old = map.remove(key);
        if (old != null) {
            entries.decrementAndGet();
            valueBytes.addAndGet(-old.length);
        }
        return old;
    }

    /** Every entry, least recently used first; corrupt values sort first (time 0) so pruning drops them early. */
    private List<StoredEntry> listEntries() {
        List<StoredEntry> all = new ArrayList<>();
        for (MVMap<byte[], byte[]> map : scoreMaps.values()) {
            for (Map.Entry<byte[], byte[]> e : map.entrySet()) {
                long lastUsed;
                try {
                    lastUsed = CacheEntryCodec.decode(e.getKey(), e.getValue()).lastUsedMillis();
                } catch (CorruptEntryException ex) {
                    lastUsed = 0;
                }
                all.add(new StoredEntry(map, e.getKey(), e.getValue().length, lastUsed));
            }
        }
        all.sort(Comparator.comparingLong(StoredEntry::lastUsedMillis));
        return all;
    }

    private record StoredEntry(MVMap<byte[], byte[]> map, byte[] key, int size, long lastUsedMillis) { }
}
