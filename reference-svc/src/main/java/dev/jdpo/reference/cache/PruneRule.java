package dev.jdpo.reference.cache;

import java.time.Duration;

/**
 * What {@link ScoreCache#prune} removes; every condition given applies, in this order.
 *
 * @param referenceFingerprint remove every entry of this reference checkpoint; null keeps all references
 * @param olderThan remove entries not used for longer than this; null keeps them
 * @param maxValueBytes then remove least recently used entries until the values fit in this many bytes; null: no cap
 */
public record PruneRule(String referenceFingerprint, Duration olderThan, Long maxValueBytes) {

    public PruneRule {
        if (olderThan != null && olderThan.isNegative()) {
            throw new IllegalArgumentException("older-than must not be negative: " + olderThan);
        }
        if (maxValueBytes != null && maxValueBytes < 0) {
            throw new IllegalArgumentException("max-size must not be negative: " + maxValueBytes);
        }
    }
}
