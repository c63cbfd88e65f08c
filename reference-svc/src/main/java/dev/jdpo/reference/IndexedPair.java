package dev.jdpo.reference;

import dev.jdpo.model.logprob.PairTokens;

/**
 * A pair to score with where it came from, free of the wire format.
 *
 * @param index the pair's position in its dataset, echoed in its score and in error messages
 * @param sourceLine 1-based line of the source file, for error messages; 0 when unknown
 */
public record IndexedPair(long index, long sourceLine, PairTokens tokens) { }
