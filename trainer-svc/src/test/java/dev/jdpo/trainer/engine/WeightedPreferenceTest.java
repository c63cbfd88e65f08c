package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * WPO weighting against weights worked out here from the raw logits in doubles:
 * w = exp(mean_t[log p(y_t) - log sum_v p_v^2]) per sequence, loss = mean_i w_c w_r (-log sigma(beta delta_i)).
 */
class WeightedPreferenceTest {

    private static final double BETA = 0.1;

    @Test
    void scalesEachPairByTheProductOfSequenceWeights() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.goldenPairs(), false);
        double expected = 0;
        try (CausalLM model = CausalLM.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            for (TrainingPair pair : pairs) {
                double[] chosen = logpAndWeight(model, pair.tokens().chosen());
                double[] rejected = logpAndWeight(model, pair.tokens().rejected());
                double delta = (chosen[0] - pair.reference().chosenLogp())
                        - (rejected[0] - pair.reference().rejectedLogp());
                expected += chosen[1] * rejected[1] * Math.log1p(Math.exp(-BETA * delta)) / pairs.size();
            }
        }
        TrainingConfig config = TrainingConfig.builder().beta(BETA).useWeighting(true).batchSize(4).maxSteps(1)
                .build();
        try (CausalLM policy = Fixtures.trainablePolicy();
             PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, 1)) {
            double loss = trainer.step(pairs, 1.0).metrics().loss();
            assertEquals(expected, loss, 1e-4 * expected);
            assertNotEquals(Fixtures.golden().getAsJsonObject("dpo_step").get("loss").getAsDouble(), loss, 1e-3);
        }
    }

    /** {sum of completion log-probs, WPO weight} of one sequence, from its logits in doubles. */
    private static double[] logpAndWeight(CausalLM model, TokenSequence sequence) {
        int[] ids = sequence.ids();
        try (NDManager manager = model.manager().newSubManager()) {
            long[] input = new long[ids.length];
            long[] mask = new long[ids.length];
            for (int t = 0; t < ids.length; t++) {
                input[t] = ids[t];
                mask[t] = 1;
            }
            NDArray logits = model.forward(manager.create(input, new Shape(1, ids.length)),
                    manager.create(mask, new Shape(1, ids.length)));
            float[] values = logits.toFloatArray();
            int vocab = (int) logits.getShape().get(2);
            double logpSum = 0;
            double aligned = 0;
            int first = sequence.promptIds().length - 1;
            for (int t = first; t < ids.length - 1; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, values[t * vocab + v]);
                }
                double z = 0;
                double z2 = 0;
                for (int v = 0; v < vocab; v++) {
                    double shifted = values[t * vocab + v] - max;
                    z += Math.exp(shifted);
                    z2 += Math.exp(2 * shifted);
                }
                double logp = values[t * vocab + ids[t + 1]] - max - Math.log(z);
                double logSumSquares = Math.log(z2) - 2 * Math.log(z);
                logpSum += logp;
                aligned += logp - logSumSquares;
            }
            int tokens = ids.length - 1 - first;
            return new double[] {logpSum, Math.exp(aligned / tokens)};
        }
    }
}
