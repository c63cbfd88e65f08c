package dev.jdpo.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AdamW against torch.optim.AdamW's update written out in doubles; gradients from loss = sum(c * w^2). */
class AdamWTest {

    private static final double[] C = {0.5, -2.0, 3.0};
    private static final double[] START = {1.0, -0.5, 0.25};

    @Test
    void matchesTorchUpdateOverThreeStepsWithDecayOnlyWhereAllowed() {
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-8, 0.1);
        double[] lrs = {1e-2, 5e-3, 2e-3};
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            weights.put("layer.weight", manager.create(toFloats(START)));
            weights.put("model.norm.weight", manager.create(toFloats(START)));
            weights.values().forEach(w -> w.setRequiresGradient(true));
            try (AdamW adam = new AdamW(weights, settings, AdamW.DECAYS, manager)) {
                double[][] expected = {START.clone(), START.clone()};
                double[][] m = new double[2][3];
                double[][] v = new double[2][3];
                for (int t = 1; t <= 3; t++) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        for (NDArray w : weights.values()) {
                            collector.backward(w.square().mul(manager.create(toFloats(C))).sum());
                        }
                    }
                    adam.step(lrs[t - 1]);
                    adam.zeroGradients();
                    for (int p = 0; p < 2; p++) {
                        double decay = p == 0 ? settings.weightDecay() : 0.0;
                        torchStep(expected[p], m[p], v[p], t, lrs[t - 1], decay, settings);
                    }
                }
                assertArrayEquals(expected[0], toDoubles(weights.get("layer.weight")), 1e-6);
                assertArrayEquals(expected[1], toDoubles(weights.get("model.norm.weight")), 1e-6);
                assertEquals(3, adam.stepCount());
                assertEquals(4, adam.state().size());
            }
        }
    }

    @Test
    void updatesAWeightLargerThanOneSliceAsTorchDoes() {
        // more elements than one in-place slice of the update, so slice boundaries are crossed
        int n = (1 << 22) + 1000;
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-8, 0.1);
        Random random = new Random(3);
        float[] start = new float[n];
        float[] coefficients = new float[n];
        for (int i = 0; i < n; i++) {
            start[i] = (float) random.nextGaussian();
            coefficients[i] = (float) random.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(start).reshape(n / 8, 8);
            NDArray c = manager.create(coefficients).reshape(n / 8, 8);
            w.setRequiresGradient(true);
            double[] expected = new double[n];
            double[] m = new double[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                expected[i] = start[i];
            }
            try (AdamW adam = new AdamW(Map.of("layer.weight", w), settings, AdamW.DECAYS, manager)) {
                for (int t = 1; t <= 2; t++) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        collector.backward(w.square().mul(c).sum());
                    }
                    adam.step(1e-2);
                    adam.zeroGradients();
                    for (int i = 0; i < n; i++) {
                        double g = 2 * coefficients[i] * expected[i];
                        expected[i] *= 1 - 1e-2 * settings.weightDecay();
                        m[i] = settings.beta1() * m[i] + (1 - settings.beta1()) * g;
                        v[i] = settings.beta2() * v[i] + (1 - settings.beta2()) * g * g;
                        double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(settings.beta2(), t))
                                + settings.epsilon();
                        expected[i] -= 1e-2 * m[i] / (1 - Math.pow(settings.beta1(), t)) / denom;
                    }
                }
            }
            assertArrayEquals(expected, toDoubles(w), 1e-5);
        }
    }

    @Test
    void decayExcludesNormsAndBiases() {
        assertTrue(AdamW.DECAYS.test("model.layers.0.mlp.up_proj.weight"));
        assertFalse(AdamW.DECAYS.test("model.layers.0.input_layernorm.weight"));
        assertFalse(AdamW.DECAYS.test("model.norm.weight"));
        assertFalse(AdamW.DECAYS.test("model.layers.0.self_attn.q_proj.bias"));
    }

    @Test
    void restoredStateContinuesTheSameTrajectory() {
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-8, 0.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray straight = manager.create(toFloats(START));
            NDArray resumed = manager.create(toFloats(START));
            straight.setRequiresGradient(true);
            resumed.setRequiresGradient(true);
            try (AdamW a = new AdamW(Map.of("w", straight), settings, AdamW.DECAYS, manager);
                 AdamW b = new AdamW(Map.of("w", resumed), settings, AdamW.DECAYS, manager)) {
                for (int t = 0; t < 2; t++) {
                    backward(straight, manager);
                    a.step(1e-2);
                    a.zeroGradients();
                }
                resumed.set(straight.toFloatArray());
                b.restore(a.state(), a.stepCount());
                backward(straight, manager);
                a.step(1e-2);
                backward(resumed, manager);
                b.step(1e-2);
                assertArrayEquals(straight.toFloatArray(), resumed.toFloatArray());
            }
        }
    }

    private static void backward(NDArray w, NDManager manager) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(w.square().mul(manager.create(toFloats(C))).sum());
        }
    }

    /** torch.optim.AdamW, single-tensor path, in doubles. */
    private static void torchStep(double[] p, double[] m, double[] v, int t, double lr, double decay,
                                  AdamW.Settings s) {
        for (int i = 0; i < p.length; i++) {
            double g = 2 * C[i] * p[i];
            p[i] *= 1 - lr * decay;
            m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g;
            v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g * g;
            double mHat = m[i] / (1 - Math.pow(s.beta1(), t));
            double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(s.beta2(), t)) + s.epsilon();
            p[i] -= lr * mHat / denom;
        }
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static double[] toDoubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
