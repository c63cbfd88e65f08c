package dev.jdpo.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdpo.proto.internal.v1.PairReferenceScore;
import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline's protobuf messages convert field for field. */
class ScoredPairsTest {

    @Test
    void scoredPairConverts() {
        ScoredPair message = ScoredPair.newBuilder()
                .setPair(TokenizedPair.newBuilder().addAllPromptIds(List.of(5, 6)).addAllChosenIds(List.of(7))
                        .addAllRejectedIds(List.of(8, 9)))
                .setReference(ReferenceLogProbs.newBuilder().setChosenLogp(-1.5).setRejectedLogp(-2.5))
                .build();
        TrainingPair pair = ScoredPairs.toTrainingPair(message);
        assertArrayEquals(new int[] {5, 6}, pair.promptIds());
        assertArrayEquals(new int[] {7}, pair.chosenIds());
        assertArrayEquals(new int[] {8, 9}, pair.rejectedIds());
        assertArrayEquals(new double[] {-1.5, -2.5},
                new double[] {pair.reference().chosenLogp(), pair.reference().rejectedLogp()});

        PairReferenceScore score = PairReferenceScore.newBuilder().setReference(message.getReference())
                .addAllChosenTokenLogps(List.of(-1.5f)).addAllRejectedTokenLogps(List.of(-1f, -1.5f)).build();
        TrainingPair scored = ScoredPairs.withReference(message.getPair(), score);
        assertArrayEquals(new float[] {-1.5f}, scored.reference().chosenTokenLogps());
        assertArrayEquals(new float[] {-1f, -1.5f}, scored.reference().rejectedTokenLogps());
        PairReferenceScore sumsOnly = score.toBuilder().clearChosenTokenLogps().clearRejectedTokenLogps().build();
        assertFalse(ScoredPairs.withReference(message.getPair(), sumsOnly).reference().hasTokenLogps());
    }
}
