package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.LossScaling;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * FP16 mixed-precision training under dynamic loss scaling: it follows the FP32 loss curve, and a step whose scaled
 * gradients overflow FP16 is skipped (weights and AdamW untouched), counted, and lowers the scale.
 */
class MixedPrecisionTrainingTest {

    private static final int STEPS = 20;
    private static final TrainingConfig CONFIG = TrainingConfig.builder().learningRate(1e-3)
            .scheduler(SchedulerType.CONSTANT).batchSize(4).gradientAccumulationSteps(2).maxGradNorm(1.0)
            .maxSteps(STEPS).build();

    @Test
    void twentyFp16StepsTrackTheFp32LossCurveWithinTwoPercent() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(8, 5), false);
        double[] fp32 = losses(Fixtures.trainablePolicy(), pairs);
        double[] fp16 = losses(fp16Policy(), pairs);
        assertTrue(fp32[STEPS - 1] < 0.9 * fp32[0], "the FP32 run learns: " + fp32[0] + " -> " + fp32[STEPS - 1]);
        double largest = 0;
        for (int step = 0; step < STEPS; step++) {
            assertEquals(fp32[step], fp16[step], 0.02 * fp32[step], "loss of step " + (step + 1));
            largest = Math.max(largest, Math.abs(fp16[step] - fp32[step]) / fp32[step]);
        }
        // FP16 rounding must show, or the FP16 path did not run
        assertTrue(largest > 1e-6, "FP16 losses differ from FP32 by at most " + largest);
    }

    private static double[] losses(CausalLM policy, List<TrainingPair> pairs) throws Exception {
        double[] losses = new double[STEPS];
        try (policy; PolicyTrainer trainer = new PolicyTrainer(policy, CONFIG, Fixtures.PAD_ID, STEPS)) {
            for (int step = 0; step < STEPS; step++) {
                StepMetrics metrics = trainer.step(pairs, step + 1).metrics();
                losses[step] = metrics.loss();
                assertEquals(trainer.lossScaler().isPresent(), metrics.values().containsKey("loss_scale"));
            }
            if (trainer.lossScaler().isPresent()) {
                assertEquals(0, trainer.lossScaler().get().state().skippedSteps(), "GradScaler's 2^16 overflowed");
            }
        }
        return losses;
    }

    @Test
    void anOverflowIsSkippedCountedAndLowersTheScale() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(4, 9), false);
        // 2^40 overflows FP16 (max 65504) in backward; 2^40 / 2^10 / 2^10 = 2^20 still does; 2^10 does not
        double initScale = Math.pow(2, 40);
        TrainingConfig config = CONFIG.toBuilder().gradientAccumulationSteps(1)
                .lossScaling(new LossScaling(initScale, 2.0, Math.pow(2, -10), 2)).build();
        try (CausalLM policy = fp16Policy(); PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, 8)) {
            Map<String, float[]> before = snapshot(policy);
            for (int step = 1; step <= 3; step++) {
                Map<String, Double> metrics = trainer.step(pairs, step).metrics().values();
                assertEquals(step, metrics.get("skipped_steps"), "step " + step);
                assertEquals(initScale * Math.pow(2, -10 * step), metrics.get("loss_scale"), "step " + step);
                assertEquals(0.0, metrics.get("grad_norm"));
                assertTrue(Double.isFinite(metrics.get("loss")));
            }
            assertEquals(0, trainer.optimizer().stepCount(), "AdamW never stepped");
            Map<String, float[]> after = snapshot(policy);
            before.forEach((name, values) -> assertArrayEquals(values, after.get(name), name + " changed"));

            Map<String, Double> good = trainer.step(pairs, 4).metrics().values();
            assertEquals(3.0, good.get("skipped_steps"));
            assertTrue(good.get("grad_norm") > 0);
            assertEquals(1, trainer.optimizer().stepCount());
            Map<String, Double> grown = trainer.step(pairs, 5).metrics().values();
            assertEquals(1.0, grown.get("loss_scale_growths"), "two good steps in a row double the scale");
            assertEquals(Math.pow(2, 11), grown.get("loss_scale"));
            Map<String, float[]> trained = snapshot(policy);
            assertFalse(java.util.Arrays.equals(before.get("model.norm.weight"), trained.get("model.norm.weight")));
            trained.forEach((name, values) -> {
                for (float value : values) {
                    assertTrue(Float.isFinite(value), name + " holds " + value);
                }
            });
        }
    }

    private static CausalLM fp16Policy() throws Exception {
        return CausalLM.load(Fixtures.policyDir(), new LoadOptions(Device.cpu(), Precision.FP16, true));
    }

    private static Map<String, float[]> snapshot(CausalLM policy) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> weight : policy.parameters().entrySet()) {
            values.put(weight.getKey(), weight.getValue().toFloatArray());
        }
        return values;
    }
}
