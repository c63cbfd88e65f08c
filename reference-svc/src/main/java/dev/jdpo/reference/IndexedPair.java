package dev.jdpo.reference;

import dev.jdpo.model.logprob.PairTokens;

/**
 * A pair to score, free of the wire format, with its position in its dataset (echoed in its score and in error
 * messages) and the 1-based line of its source file (for error messages; 0 when unknown).
 */
public record IndexedPair(long index, long sourceLine, PairTokens tokens) { }
