package dev.jdpo.reference.pool;

import java.time.Duration;

/**
 * How a {@link ReferencePool} spreads and retries batches.
 *
 * @param pairsPerCall pairs per Score call (the unit that is balanced, and moved when a replica fails)
 * @param callsPerReplica most calls outstanding on one replica (2 keeps a replica busy while an answer travels)
 * @param moveAfter a call still unanswered after this long is sent to another replica too; the first answer wins
 * @param callDeadline hard gRPC deadline of one call; at least {@code moveAfter}
 * @param initialBackoff a failed replica gets no calls for this long, doubling per consecutive failure
 * @param maxBackoff cap of that wait
 * @param maxAttemptsPerBatch a batch that failed this many times fails the whole score call
 */
public record PoolOptions(int pairsPerCall, int callsPerReplica, Duration moveAfter, Duration callDeadline,
                          Duration initialBackoff, Duration maxBackoff, int maxAttemptsPerBatch) {

    public PoolOptions {
        if (pairsPerCall < 1 || callsPerReplica < 1 || maxAttemptsPerBatch < 1) {
            throw new IllegalArgumentException("pairsPerCall, callsPerReplica and maxAttemptsPerBatch must be positive");
        }
        if (callDeadline.compareTo(moveAfter) < 0) {
            throw new IllegalArgumentException("callDeadline " + callDeadline + " is shorter than moveAfter " + moveAfter);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
        }
    }

    /** 16 pairs per call, 2 calls per replica, move after 60 s, deadline 5 min, backoff 0.5 s to 30 s, 8 attempts. */
    public static PoolOptions defaults() {
        return new PoolOptions(16, 2, Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofMillis(500),
                Duration.ofSeconds(30), 8);
    }
}
