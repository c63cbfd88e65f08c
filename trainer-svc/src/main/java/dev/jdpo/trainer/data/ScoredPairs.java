package dev.jdpo.trainer.data;

import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.List;

/** Converts the pipeline's protobuf messages into training pairs. */
public final class ScoredPairs {

    private ScoredPairs() { }

    /** A pair with reference sums (the wire message carries no per-token log-probs). */
    public static TrainingPair toTrainingPair(ScoredPair scored) {
        TokenizedPair pair = scored.getPair();
        ReferenceScores reference = scored.hasReference()
                ? ReferenceScores.ofSums(scored.getReference().getChosenLogp(), scored.getReference().getRejectedLogp())
                : null;
        return new TrainingPair(ids(pair.getPromptIdsList()), ids(pair.getChosenIdsList()),
                ids(pair.getRejectedIdsList()), reference);
    }

    private static int[] ids(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
