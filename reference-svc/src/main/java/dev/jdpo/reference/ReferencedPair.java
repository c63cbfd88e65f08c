package dev.jdpo.reference;

import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;

/** A tokenized pair with its reference score attached, as the trainer consumes it. */
public record ReferencedPair(TokenizedPair pair, PairScore score) {

    /** The wire form (sums only; per-token log-probs stay in {@link #score}). */
    public ScoredPair toProto() {
        PairLogProbs p = score.logProbs();
        return ScoredPair.newBuilder().setPair(pair)
                .setReference(ReferenceLogProbs.newBuilder().setChosenLogp(p.chosenLogp())
                        .setRejectedLogp(p.rejectedLogp()).setCacheHit(score.cacheHit()))
                .build();
    }
}
