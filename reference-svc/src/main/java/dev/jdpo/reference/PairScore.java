package dev.jdpo.reference;

import dev.jdpo.model.logprob.PairLogProbs;

/**
 * The reference score of one pair as a scorer returns it.
 *
 * @param index the pair's index ({@link IndexedPair#index})
 * @param cacheHit true when the numbers came from the persistent cache rather than a forward pass
 */
public record PairScore(long index, PairLogProbs logProbs, boolean cacheHit) { }
