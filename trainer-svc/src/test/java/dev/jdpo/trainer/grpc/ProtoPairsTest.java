package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.TrainPair;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.PairChecks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer's pair messages convert field for field. */
class ProtoPairsTest {

    private static final ScoredPair SCORED = ScoredPair.newBuilder()
            .setPair(TokenizedPair.newBuilder().addAllPromptIds(List.of(5, 6)).addAllChosenIds(List.of(7))
                    .addAllRejectedIds(List.of(8, 9)))
            .setReference(ReferenceLogProbs.newBuilder().setChosenLogp(-1.5).setRejectedLogp(-2.5))
            .build();

    @Test
    void scoredPairConverts() {
        TrainingPair pair = ProtoPairs.toTrainingPair(TrainPair.newBuilder().setScored(SCORED).build());
        assertArrayEquals(new int[] {5, 6}, pair.tokens().promptIds());
        assertArrayEquals(new int[] {7}, pair.tokens().chosenIds());
        assertArrayEquals(new int[] {8, 9}, pair.tokens().rejectedIds());
        assertArrayEquals(new double[] {-1.5, -2.5},
                new double[] {pair.reference().chosenLogp(), pair.reference().rejectedLogp()});
        assertFalse(pair.reference().hasTokenLogps());
        assertArrayEquals(new int[] {1, 2},
                new int[] {pair.reference().chosenTokens(), pair.reference().rejectedTokens()});
    }

    @Test
    void perTokenReferenceLogProbsConvertAndRoundTrip() {
        TrainPair message = TrainPair.newBuilder().setScored(SCORED).addAllChosenRefTokenLogps(List.of(-1.5f))
                .addAllRejectedRefTokenLogps(List.of(-1f, -1.5f)).build();
        TrainingPair scored = ProtoPairs.toTrainingPair(message);
        assertArrayEquals(new float[] {-1.5f}, scored.reference().chosenTokenLogps());
        assertArrayEquals(new float[] {-1f, -1.5f}, scored.reference().rejectedTokenLogps());
        TrainingPair back = ProtoPairs.toTrainingPair(ProtoPairs.toProto(scored, 3));
        assertArrayEquals(new float[] {-1f, -1.5f}, back.reference().rejectedTokenLogps());
        assertEquals(scored.reference(), back.reference());
    }

    @Test
    void perTokenListsThatMissThePairConvertAndAreRefusedByThePairChecks() {
        TrainPair message = TrainPair.newBuilder().setScored(SCORED).addAllChosenRefTokenLogps(List.of(-1f, -0.5f))
                .addAllRejectedRefTokenLogps(List.of(-1f, -1.5f)).build();
        TrainingPair pair = ProtoPairs.toTrainingPair(message);
        assertEquals(2, pair.reference().chosenTokens());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> PairChecks.check(List.of(pair),
                TrainingConfig.builder().ldAlpha(0.5).build(), 512, 0));
        assertEquals("reference: pair 0: per-token reference log-probs cover 2/2 tokens but the completions have 1/2",
                e.getMessage());
    }

    @Test
    void aPairWithoutReferenceStaysReferenceFree() {
        TrainPair message = TrainPair.newBuilder().setScored(SCORED.toBuilder().clearReference()).build();
        assertNull(ProtoPairs.toTrainingPair(message).reference());
    }
}
