package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A sequence's numbers do not depend on padding or on its batch neighbours. */
class PaddingInvarianceTest {

    private static CausalLM model;

    @BeforeAll
    static void load() throws Exception {
        model = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static TokenSequence random(Random random, int prompt, int completion) {
        return new TokenSequence(random.ints(prompt, 3, 512).toArray(), random.ints(completion, 3, 512).toArray());
    }

    @Test
    void pairAloneEqualsPairInPaddedBatchOfFour() {
        Random random = new Random(7);
        TokenSequence target = random(random, 6, 5);
        List<TokenSequence> batch = List.of(random(random, 20, 15), target, random(random, 3, 2),
                random(random, 9, 30));
        float[] alone = tokenLogps(List.of(target), 0);
        float[] padded = tokenLogps(batch, 1);
        assertEquals(alone.length, padded.length);
        for (int t = 0; t < alone.length; t++) {
            assertEquals(alone[t], padded[t], 1e-5, "token " + t);
        }
        double scoredAlone = new SequenceScorer(model, 0).score(List.of(target), 1, false).get(0).logp();
        double scoredInBatch = new SequenceScorer(model, 0).score(batch, 4, false).get(1).logp();
        assertEquals(scoredAlone, scoredInBatch, 1e-5);
    }

    @Test
    void scorerResultsDoNotDependOnBatchSizeOrOrder() {
        Random random = new Random(11);
        List<TokenSequence> sequences = List.of(random(random, 4, 9), random(random, 17, 3), random(random, 1, 12),
                random(random, 8, 8), random(random, 30, 1));
        SequenceScorer scorer = new SequenceScorer(model, 2);
        List<SequenceScore> one = scorer.score(sequences, 1, true);
        List<SequenceScore> all = scorer.score(sequences, 5, true);
        List<SequenceScore> three = scorer.score(sequences, 3, true);
        for (int i = 0; i < sequences.size(); i++) {
            assertEquals(sequences.get(i).completionIds().length, one.get(i).tokens());
            assertEquals(one.get(i).logp(), all.get(i).logp(), 1e-5, "sequence " + i);
            assertEquals(one.get(i).logp(), three.get(i).logp(), 1e-5, "sequence " + i);
        }
    }

    @Test
    void shortSequenceScoresTheSameAloneAsBesideALongOne() {
        Random random = new Random(5);
        TokenSequence shortOne = random(random, 4, 5);
        SequenceScorer scorer = new SequenceScorer(model, 0);
        SequenceScore alone = scorer.score(List.of(shortOne), 1, true).get(0);
        SequenceScore beside = scorer.score(List.of(random(random, 25, 20), shortOne), 2, true).get(1);
        for (int t = 0; t < alone.tokenLogps().length; t++) {
            assertEquals(alone.tokenLogps()[t], beside.tokenLogps()[t], 1e-6, "token " + t);
        }
        assertEquals(alone.logp(), beside.logp(), 1e-6);
    }

    @Test
    void batchesArePaddedToTheMinimumWidth() {
        try (NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, List.of(new TokenSequence(new int[] {5}, new int[] {6, 7})), 0)) {
            assertEquals(PaddedBatch.MIN_WIDTH, batch.width());
            assertEquals(0L, batch.attentionMask().get(0, PaddedBatch.MIN_WIDTH - 1).getLong());
        }
    }

    /** The completion's per-token log-probs of row {@code row}, from {@link LogProbs#compute}. */
    private static float[] tokenLogps(List<TokenSequence> sequences, int row) {
        try (NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
            CompletionLogProbs result = LogProbs.compute(model, batch, false);
            TokenSequence sequence = sequences.get(row);
            int first = sequence.promptIds().length - 1;
            float[] all = result.tokenLogps().get(row).toFloatArray();
            float[] out = new float[sequence.completionIds().length];
            System.arraycopy(all, first, out, 0, out.length);
            return out;
        }
    }
}
