package dev.jdpo.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.jdpo.model.RopeConfig;
import dev.jdpo.model.transformer.RotaryEmbedding;
import dev.jdpo.testing.GcPressure;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What backward reads survives the GCs that land between a forward and its backward. */
class OwnedTensorsTest {

    @Test
    void scalarOperandsSurviveGcBeforeBackward() throws Exception {
        assertArrayEquals(new float[] {3, 3, 3}, gradientUnderGc(x -> ScalarOps.times(x, 3)), 0f);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, gradientUnderGc(x -> ScalarOps.over(x, 4)), 0f);
        assertArrayEquals(new float[] {0, 1, 1}, gradientUnderGc(x -> ScalarOps.atLeast(x, 1.5)), 0f);
        assertArrayEquals(new float[] {3, 5, 7}, gradientUnderGc(x -> ScalarOps.plus(x, 1).mul(x)), 0f);
    }

    /** The gradient of {@code sum(f(x))} at x = [1, 2, 3], with GCs and freed-memory reuse between forward and backward. */
    private static float[] gradientUnderGc(UnaryOperator<NDArray> f) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = OwnedTensors.of(manager, new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                try (GcPressure pressure = GcPressure.start()) {
                    Thread.sleep(300);
                }
                collector.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void rotaryTablesGrownBetweenForwardAndBackwardKeepTheSavedOnes() throws Exception {
        float[] expected = rotaryGradient(false);
        assertArrayEquals(expected, rotaryGradient(true), 0f);
    }

    private static float[] rotaryGradient(boolean growBeforeBackward) throws Exception {
        int headDim = 8;
        try (NDManager manager = NDManager.newBaseManager();
             RotaryEmbedding rope = new RotaryEmbedding(manager, RopeConfig.standard(10_000), headDim)) {
            float[] values = new float[4 * headDim];
            for (int i = 0; i < values.length; i++) {
                values[i] = (i % 7) - 3;
            }
            NDArray x = OwnedTensors.of(manager, values, new Shape(1, 1, 4, headDim));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList tables = rope.tables(0, 4);
                NDArray y = RotaryEmbedding.rotate(x, tables.get(0), tables.get(1)).square().sum();
                tables.close();
                if (growBeforeBackward) {
                    rope.tables(0, 1000).close();
                    try (GcPressure pressure = GcPressure.start()) {
                        Thread.sleep(300);
                    }
                }
                collector.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }
}
