package dev.jdpo.reference.cache;

/**
 * Outcome of a prune.
 *
 * @param removedEntries entries deleted
 * @param removedValueBytes bytes their values took
 * @param after the cache's stats after pruning; the file is compacted when the cache closes
 */
public record PruneResult(long removedEntries, long removedValueBytes, CacheStats after) { }
