package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pairs the losses cannot use are refused before any forward pass, naming the pair and the problem. */
class PairChecksTest {

    private static final TrainingConfig DPO = TrainingConfig.builder().build();
    private static final PairLogProbs REFERENCE = new PairLogProbs(-3, -4, 1, 1, null, null);

    private static InvalidConfigException refused(TrainingPair pair, TrainingConfig config) {
        TrainingPair good = new TrainingPair(new PairTokens(new int[] {1}, new int[] {2}, new int[] {3}), REFERENCE);
        return assertThrows(InvalidConfigException.class,
                () -> PairChecks.check(List.of(good, pair), config, 512, 10));
    }

    @Test
    void tokenOutsideTheVocabulary() {
        InvalidConfigException e = refused(new TrainingPair(new PairTokens(new int[] {1}, new int[] {600},
                new int[] {3}), REFERENCE), DPO);
        assertEquals("data: pair 11 has chosen token id 600 outside the policy's vocabulary [0, 512)",
                e.getMessage());
    }

    @Test
    void emptyCompletion() {
        InvalidConfigException e = refused(new TrainingPair(new PairTokens(new int[] {1}, new int[] {2}, new int[0]),
                REFERENCE), DPO);
        assertEquals("data: pair 11 has an empty rejected completion", e.getMessage());
    }

    @Test
    void missingOrNonFiniteReference() {
        assertEquals("reference", refused(new TrainingPair(new PairTokens(new int[] {1}, new int[] {2},
                new int[] {3}), null), DPO).field());
        assertEquals("reference", refused(new TrainingPair(new PairTokens(new int[] {1}, new int[] {2}, new int[] {3}),
                new PairLogProbs(Double.NaN, -1, 1, 1, null, null)), DPO).field());
        TrainingConfig referenceFree = TrainingConfig.builder().lossTypes(List.of("simpo")).build();
        PairChecks.check(List.of(new TrainingPair(new PairTokens(new int[] {1}, new int[] {2}, new int[] {3}), null)),
                referenceFree, 512, 0);
    }
}
