package dev.jdpo.reference;

import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reference scores of a whole dataset, looked up by pair index. */
public final class PrecomputedScores {

    private final Map<Long, PairScore> byIndex;

    private PrecomputedScores(Map<Long, PairScore> byIndex) {
        this.byIndex = byIndex;
    }

    static Builder builder() {
        return new Builder();
    }

    /** The score of the pair with this index, if it was precomputed. */
    public Optional<PairScore> get(long index) {
        return Optional.ofNullable(byIndex.get(index));
    }

    /** The pair with its precomputed score. */
    public ReferencedPair attach(TokenizedPair pair) {
        PairScore score = byIndex.get(pair.getIndex());
        if (score == null) {
            throw new IllegalStateException("pair " + pair.getIndex() + " was not in the precomputed dataset");
        }
        return new ReferencedPair(pair, score);
    }

    /** Number of pairs scored. */
    public int size() {
        return byIndex.size();
    }

    /** Number of pairs whose score came from the cache. */
    public long cacheHits() {
        return byIndex.values().stream().filter(PairScore::cacheHit).count();
    }

    static final class Builder {
        private final Map<Long, PairScore> byIndex = new HashMap<>();

        void add(PairScore score) {
            if (byIndex.putIfAbsent(score.index(), score) != null) {
                throw new IllegalArgumentException("pair index " + score.index() + " appears twice in the dataset");
            }
        }

        PrecomputedScores build() {
            return new PrecomputedScores(byIndex);
        }
    }
}
