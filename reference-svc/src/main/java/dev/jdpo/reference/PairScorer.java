package dev.jdpo.reference;

import java.util.List;

/** Something that turns tokenized pairs into reference log-probs: a local model, or a pool of remote replicas. */
public interface PairScorer {

    /**
     * Scores the pairs; the result has one entry per pair, in the order given.
     *
     * @param perToken also return per-token log-probs
     * @throws InvalidPairException when a pair cannot be scored (empty completion, token id out of range)
     */
    List<PairScore> score(List<IndexedPair> pairs, boolean perToken);
}
