package dev.jdpo.reference.grpc;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.PairReferenceScore;
import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ReferenceStats;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.ScorerStats;

/** Conversions between the scoring records and their protobuf messages. */
public final class ProtoScores {

    private ProtoScores() {
    }

    /** The wire form of a pair to score. */
    public static TokenizedPair toProto(IndexedPair pair) {
        TokenizedPair.Builder b = TokenizedPair.newBuilder().setIndex(pair.index()).setSourceLine(pair.sourceLine());
        PairTokens tokens = pair.tokens();
        for (int id : tokens.promptIds()) {
            b.addPromptIds(id);
        }
        for (int id : tokens.chosenIds()) {
            b.addChosenIds(id);
        }
        for (int id : tokens.rejectedIds()) {
            b.addRejectedIds(id);
        }
        return b.build();
    }

    /** The scorer's form of a pair from the wire. */
    public static IndexedPair fromProto(TokenizedPair pair) {
        return new IndexedPair(pair.getIndex(), pair.getSourceLine(), PairTokens.of(pair.getPromptIdsList(),
                pair.getChosenIdsList(), pair.getRejectedIdsList()));
    }

    public static PairReferenceScore toProto(PairScore score) {
        PairLogProbs p = score.logProbs();
        PairReferenceScore.Builder b = PairReferenceScore.newBuilder()
                .setIndex(score.index())
                .setReference(ReferenceLogProbs.newBuilder().setChosenLogp(p.chosenLogp())
                        .setRejectedLogp(p.rejectedLogp()).setCacheHit(score.cacheHit()))
                .setChosenTokens(p.chosenTokens())
                .setRejectedTokens(p.rejectedTokens());
        if (p.hasTokenLogps()) {
            for (float f : p.chosenTokenLogps()) {
                b.addChosenTokenLogps(f);
            }
            for (float f : p.rejectedTokenLogps()) {
                b.addRejectedTokenLogps(f);
            }
        }
        return b.build();
    }

    /** The record form; per-token log-probs only when {@code perToken} was asked for. */
    public static PairScore fromProto(PairReferenceScore s, boolean perToken) {
        ReferenceLogProbs r = s.getReference();
        PairLogProbs p = PairLogProbs.of(r.getChosenLogp(), r.getRejectedLogp(), s.getChosenTokens(),
                s.getRejectedTokens(), perToken ? s.getChosenTokenLogpsList() : null,
                perToken ? s.getRejectedTokenLogpsList() : null);
        return new PairScore(s.getIndex(), p, r.getCacheHit());
    }

    public static ReferenceStats toProto(String replicaId, String fingerprint, ScorerStats s) {
        return ReferenceStats.newBuilder()
                .setReplicaId(replicaId)
                .setReferenceFingerprint(fingerprint)
                .setPairsRequested(s.pairsRequested())
                .setForwardPasses(s.forwardPasses())
                .setSequencesScored(s.sequencesScored())
                .setRealTokens(s.realTokens())
                .setPaddedTokens(s.paddedTokens())
                .setCacheHits(s.cache().hits())
                .setCacheMisses(s.cache().misses())
                .setCacheCorrupt(s.cache().corrupt())
                .setCacheEntries(s.cache().entries())
                .setCacheValueBytes(s.cache().valueBytes())
                .setCacheFileBytes(s.cache().fileBytes())
                .build();
    }
}
