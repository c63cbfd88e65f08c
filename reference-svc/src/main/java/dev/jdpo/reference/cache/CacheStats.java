package dev.jdpo.reference.cache;

/**
 * Cache metrics.
 *
 * @param hits lookups that returned a valid entry (since the cache was opened)
 * @param misses lookups that found no usable entry, corrupt ones included
 * @param corrupt lookups that found an entry failing its checksum; it was removed and the pair rescored
 * @param entries entries stored now
 * @param valueBytes bytes taken by the stored values
 * @param fileBytes size of the cache file; 0 for an in-memory cache
 */
public record CacheStats(long hits, long misses, long corrupt, long entries, long valueBytes, long fileBytes) {

    /** Share of lookups that hit, 0 when there were none. */
    public double hitRate() {
        long lookups = hits + misses;
        return lookups == 0 ? 0 : (double) hits / lookups;
    }
}
