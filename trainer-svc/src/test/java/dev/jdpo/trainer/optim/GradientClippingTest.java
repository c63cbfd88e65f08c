package dev.jdpo.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Global-norm clipping over several weights, with gradients known from loss = sum(c * w). */
class GradientClippingTest {

    @Test
    void measuresTheGlobalNormAndScalesEveryGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {1, 2});
            NDArray b = manager.create(new float[] {3});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(a.mul(manager.create(new float[] {3, 4})).sum()
                        .add(b.mul(manager.create(new float[] {12})).sum()));
            }
            List<NDArray> weights = List.of(a, b);
            double norm = GradientClipping.globalNorm(weights);
            assertEquals(13.0, norm, 1e-5);
            GradientClipping.clip(weights, 1.0, norm);
            double scale = 1.0 / (13.0 + 1e-6);
            assertArrayEquals(new float[] {(float) (3 * scale), (float) (4 * scale)},
                    a.getGradient().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {(float) (12 * scale)}, b.getGradient().toFloatArray(), 1e-6f);
            assertEquals(1.0, GradientClipping.globalNorm(weights), 1e-5);
        }
    }

    @Test
    void leavesSmallGradientsAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {1, 2});
            a.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(a.mul(manager.create(new float[] {0.3f, 0.4f})).sum());
            }
            double norm = GradientClipping.globalNorm(List.of(a));
            assertEquals(0.5, norm, 1e-6);
            GradientClipping.clip(List.of(a), 1.0, norm);
            assertArrayEquals(new float[] {0.3f, 0.4f}, a.getGradient().toFloatArray(), 1e-7f);
        }
    }
}
