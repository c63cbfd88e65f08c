package dev.jdpo.reference;

import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Precompute mode: scores a whole dataset before training starts, so the trainer never holds a reference model.
 * Pairs go to the scorer in chunks (each chunk is one request, bucketed by length on the scoring side).
 */
public final class ReferencePrecompute {

    private ReferencePrecompute() {
    }

    /** Scores every pair of {@code pairs}, {@code chunkPairs} at a time. */
    public static PrecomputedScores run(PairScorer scorer, Iterator<TokenizedPair> pairs, int chunkPairs,
                                        boolean perToken) {
        if (chunkPairs < 1) {
            throw new IllegalArgumentException("chunkPairs must be positive: " + chunkPairs);
        }
        PrecomputedScores.Builder out = PrecomputedScores.builder();
        List<TokenizedPair> chunk = new ArrayList<>(chunkPairs);
        while (pairs.hasNext()) {
            chunk.add(pairs.next());
            if (chunk.size() == chunkPairs || !pairs.hasNext()) {
                scorer.score(chunk, perToken).forEach(out::add);
                chunk.clear();
            }
        }
        return out.build();
    }
}
