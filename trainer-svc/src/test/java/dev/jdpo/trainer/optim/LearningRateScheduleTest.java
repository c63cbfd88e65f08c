package dev.jdpo.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.trainer.config.SchedulerType;
import org.junit.jupiter.api.Test;

/** Learning rates per 1-based optimizer step, as transformers' LambdaLR schedules give them. */
class LearningRateScheduleTest {

    @Test
    void linearWarmsUpThenDecaysToZero() {
        LearningRateSchedule s = LearningRateSchedule.of(SchedulerType.LINEAR, 1.0, 2, 0, 10);
        double[] expected = {0.0, 0.5, 1.0, 7.0 / 8, 6.0 / 8, 5.0 / 8, 4.0 / 8, 3.0 / 8, 2.0 / 8, 1.0 / 8};
        for (int step = 1; step <= 10; step++) {
            assertEquals(expected[step - 1], s.learningRate(step), 1e-12, "step " + step);
        }
    }

    @Test
    void cosineFollowsHalfACycle() {
        LearningRateSchedule s = LearningRateSchedule.of(SchedulerType.COSINE, 2.0, 1, 0, 5);
        assertEquals(0.0, s.learningRate(1), 1e-12);
        assertEquals(2.0, s.learningRate(2), 1e-12);
        assertEquals(2.0 * 0.5 * (1 + Math.cos(Math.PI * 1 / 4)), s.learningRate(3), 1e-12);
        assertEquals(2.0 * 0.5 * (1 + Math.cos(Math.PI * 3 / 4)), s.learningRate(5), 1e-12);
    }

    @Test
    void constantWithWarmupRatioRoundsUp() {
        LearningRateSchedule s = LearningRateSchedule.of(SchedulerType.CONSTANT, 3e-4, 0, 0.25, 10);
        assertEquals(3, s.warmupSteps());
        assertEquals(1e-4, s.learningRate(2), 1e-15);
        assertEquals(3e-4, s.learningRate(4), 1e-15);
        assertEquals(3e-4, s.learningRate(10), 1e-15);
    }

    @Test
    void noWarmupStartsAtThePeak() {
        LearningRateSchedule s = LearningRateSchedule.of(SchedulerType.LINEAR, 1e-3, 0, 0, 4);
        assertEquals(1e-3, s.learningRate(1), 1e-15);
        assertEquals(0.25e-3, s.learningRate(4), 1e-15);
    }
}
