package dev.jdpo.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdpo.proto.internal.v1.ReferenceLogProbs;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The epoch order is a permutation fixed by (seed, epoch); protobuf pairs convert field for field. */
class DataOrderTest {

    @Test
    void eachEpochIsAReproduciblePermutation() {
        DataOrder order = new DataOrder(42, 50);
        int[] first = order.epochOrder(0);
        int[] sorted = first.clone();
        Arrays.sort(sorted);
        int[] identity = new int[50];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted);
        assertArrayEquals(first, new DataOrder(42, 50).epochOrder(0));
        assertFalse(Arrays.equals(first, order.epochOrder(1)));
        assertFalse(Arrays.equals(first, new DataOrder(43, 50).epochOrder(0)));
    }

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
    }
}
