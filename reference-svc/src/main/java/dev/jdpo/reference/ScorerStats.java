package dev.jdpo.reference;

import dev.jdpo.reference.cache.CacheStats;

/**
 * Counters of a {@link LocalReferenceScorer} since it was created.
 *
 * @param pairsRequested pairs asked for, cache hits included
 * @param forwardPasses model forward passes run (one per batch); zero on a fully cached pass
 * @param sequencesScored sequences those passes covered (two per scored pair)
 * @param realTokens prompt plus completion tokens in those sequences
 * @param paddedTokens tokens the batches occupied with padding (rows times longest row)
 * @param cache the cache's own counters and size
 */
public record ScorerStats(long pairsRequested, long forwardPasses, long sequencesScored, long realTokens,
                          long paddedTokens, CacheStats cache) {

    /** Share of batch tokens that were padding, 0 when nothing was scored. */
    public double paddingFraction() {
        return paddedTokens == 0 ? 0 : 1.0 - (double) realTokens / paddedTokens;
    }
}
