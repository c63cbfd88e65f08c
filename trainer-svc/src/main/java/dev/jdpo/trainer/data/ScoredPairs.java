package dev.jdpo.trainer.data;

import dev.jdpo.proto.internal.v1.PairReferenceScore;
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

    /**
     * The pair with the reference service's answer attached: sums, and per-token log-probs when the request
     * asked for them (LD-DPO needs those).
     */
    public static TrainingPair withReference(TokenizedPair pair, PairReferenceScore score) {
        boolean perToken = score.getChosenTokenLogpsCount() > 0 && score.getRejectedTokenLogpsCount() > 0;
        ReferenceScores reference = new ReferenceScores(score.getReference().getChosenLogp(),
                score.getReference().getRejectedLogp(),
                perToken ? floats(score.getChosenTokenLogpsList()) : null,
                perToken ? floats(score.getRejectedTokenLogpsList()) : null);
        return new TrainingPair(ids(pair.getPromptIdsList()), ids(pair.getChosenIdsList()),
                ids(pair.getRejectedIdsList()), reference);
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static int[] ids(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
