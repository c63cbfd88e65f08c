package dev.jdpo.reference.pool;

/**
 * One replica's counters in a pool.
 *
 * @param batchesAnswered calls that returned scores (late duplicates included)
 * @param failures calls that failed or were moved for slowness
 * @param outstanding calls in flight now
 * @param available false while the replica waits out a backoff after a failure
 */
public record ReplicaStats(String name, long batchesAnswered, long failures, int outstanding, boolean available) { }
