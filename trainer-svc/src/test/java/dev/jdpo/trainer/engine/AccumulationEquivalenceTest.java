package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.jdpo.model.CausalLM;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One step on 8 pairs equals one step of 4 accumulated micro-batches of 2 pairs. Loss and gradient norm show the
 * gradients agree in scale (Adam's first update is scale-free, so parameters alone could not). The learning rate
 * is small because that first update is about lr * g / (|g| + eps): for gradient elements near eps, FP32
 * round-off between the two batchings moves the update by a fraction of lr.
 */
class AccumulationEquivalenceTest {

    @Test
    void fourMicroBatchesOfTwoEqualOneBatchOfEight() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(8, 7), false);
        TrainingConfig large = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft"))
                .lossWeights(List.of(1.0, 0.5)).learningRate(1e-4).maxGradNorm(1.0)
                .scheduler(SchedulerType.CONSTANT).batchSize(8).gradientAccumulationSteps(1).maxSteps(1).build();
        TrainingConfig accumulated = large.toBuilder().batchSize(2).gradientAccumulationSteps(4).build();
        try (CausalLM a = Fixtures.trainablePolicy(); CausalLM b = Fixtures.trainablePolicy();
             PolicyTrainer one = new PolicyTrainer(a, large, Fixtures.PAD_ID, 1);
             PolicyTrainer four = new PolicyTrainer(b, accumulated, Fixtures.PAD_ID, 1)) {
            StepMetrics whole = one.step(pairs, 1.0).metrics();
            StepMetrics parts = four.step(pairs, 1.0).metrics();
            assertEquals(whole.loss(), parts.loss(), 1e-6 * whole.loss());
            assertEquals(whole.gradNorm(), parts.gradNorm(), 1e-5 * whole.gradNorm());
            assertTrue(whole.gradNorm() > 1.0, "clipping was active");
            assertEquals(whole.rewardsMargins(), parts.rewardsMargins(), 1e-6);
            assertEquals(0.0, maxDifference(a.parameters(), b.parameters()), 1e-5);
        }
    }

    static double maxDifference(Map<String, NDArray> left, Map<String, NDArray> right) {
        double max = 0;
        for (Map.Entry<String, NDArray> entry : left.entrySet()) {
            float[] x = entry.getValue().toFloatArray();
            float[] y = right.get(entry.getKey()).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }
}
