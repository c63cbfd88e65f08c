package dev.jdpo.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.PolicyTrainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluator reports what a training step over the same pairs reports, without touching the weights. */
class EvaluatorTest {

    private static final List<String> STEP_KEYS = List.of("loss", "rewards/chosen", "rewards/rejected",
            "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen",
            "logits/rejected");

    @Test
    void policyAsItsOwnReferenceGivesLn2() throws Exception {
        List<TrainingPair> pairs;
        try (CausalLM reference = CausalLM.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            pairs = Fixtures.withReference(reference, Fixtures.syntheticPairs(7, 3), false);
        }
        TrainingConfig config = TrainingConfig.builder().build();
        try (CausalLM policy = Fixtures.trainablePolicy()) {
            Evaluation evaluation = new Evaluator(policy, config, Fixtures.PAD_ID, pairs, 3).evaluate(0, 0.0);
            Map<String, Double> values = evaluation.values();
            assertEquals(Math.log(2), values.get("eval_loss"), 1e-6);
            assertEquals(0.0, values.get("eval_rewards/chosen"), 1e-6);
            assertEquals(0.0, values.get("eval_rewards/margins"), 1e-6);
            assertTrue(values.get("eval_logps/chosen") < 0, "log-probs of real completions are negative");
            assertTrue(values.get("eval_runtime") > 0);
            assertEquals(7 / values.get("eval_runtime"), values.get("eval_samples_per_second"), 1e-6);
        }
    }

    @Test
    void plainSigmoidMatchesATrainingStepAndLeavesWeightsAlone() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(6, 21), false);
        TrainingConfig config = TrainingConfig.builder().learningRate(1e-3).batchSize(2)
                .gradientAccumulationSteps(3).maxSteps(1).build();
        assertMatchesStep(pairs, config);
    }

    @Test
    void lengthDesensitizedWeightedMixtureMatchesATrainingStep() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(5, 22), true);
        TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft", "ipo"))
                .lossWeights(List.of(1.0, 0.3, 0.5)).ldAlpha(0.4).useWeighting(true).learningRate(1e-3)
                .batchSize(2).gradientAccumulationSteps(3).maxSteps(1).build();
        assertMatchesStep(pairs, config);
    }

    @Test
    void referenceFreeSimpoMatchesATrainingStep() throws Exception {
        List<TrainingPair> pairs = Fixtures.syntheticPairs(4, 23);
        TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("simpo")).beta(2.0).learningRate(1e-3)
                .batchSize(4).maxSteps(1).build();
        assertMatchesStep(pairs, config);
    }

    /** Evaluates, then takes one step over the same pairs (whose metrics come from the pre-update weights). */
    private static void assertMatchesStep(List<TrainingPair> pairs, TrainingConfig config) throws Exception {
        try (CausalLM policy = Fixtures.trainablePolicy();
             PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, 1)) {
            Evaluator evaluator = new Evaluator(policy, config, Fixtures.PAD_ID, pairs, config.batchSize());
            float[] before = firstWeight(policy);
            Map<String, Double> evaluated = evaluator.evaluate(0, 0.0).values();
            assertEquals(0.0, maxDifference(before, firstWeight(policy)), "evaluation changed the weights");
            Map<String, Double> stepped = trainer.step(pairs, 1.0).metrics().values();
            for (String key : STEP_KEYS) {
                double expected = stepped.get(key);
                assertEquals(expected, evaluated.get("eval_" + key), 1e-6 * Math.max(1, Math.abs(expected)), key);
            }
            assertTrue(maxDifference(before, firstWeight(policy)) > 0, "the step itself did update");
            Map<String, Double> after = evaluator.evaluate(1, 1.0).values();
            assertTrue(Math.abs(after.get("eval_loss") - evaluated.get("eval_loss")) > 1e-7,
                    "a second evaluation sees the updated weights");
        }
    }

    private static float[] firstWeight(CausalLM policy) {
        NDArray weight = policy.parameters().values().iterator().next();
        return weight.toFloatArray();
    }

    private static double maxDifference(float[] x, float[] y) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
