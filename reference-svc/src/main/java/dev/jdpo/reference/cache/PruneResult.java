package dev.jdpo.reference.cache;

/**
 * Outcome of a prune.
 *
 * @param removedEntries entries deleted
 * @param removedValueBytes bytes their values took
 * @param after the cache's stats after pruning and compacting
 */
public record PruneResult(long removedEntries, long removedValueBytes, CacheStats after) { }
