package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.model.CausalLM;
import dev.jdpo.testing.GcPressure;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.config.TrainingMethod;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training steps give the same losses, gradient norms and weights, to the bit, while other threads keep collecting
 * garbage and refilling freed native memory: nothing a backward reads may live in a Java buffer a GC can free. (DJL's
 * Number overloads did: their scalars alias a direct buffer that is freed after a GC, and backward read junk.)
 */
class GcDuringStepTest {

    static Stream<Arguments> configs() {
        TrainingConfig base = TrainingConfig.builder().learningRate(1e-3).scheduler(SchedulerType.CONSTANT)
                .batchSize(3).gradientAccumulationSteps(2).maxSteps(3).build();
        List<String> everyLoss = Arrays.stream(LossType.values()).map(LossType::wireName).toList();
        return Stream.of(
                Arguments.of("every loss, label smoothing 0.1", base.toBuilder().lossTypes(everyLoss)
                        .lossWeights(everyLoss.stream().map(loss -> 1.0).toList()).labelSmoothing(0.1)
                        .build()),
                Arguments.of("sigmoid with LD-DPO and WPO weights", base.toBuilder().ldAlpha(0.5).useWeighting(true)
                        .build()),
                Arguments.of("sigmoid with gradient checkpointing", base.toBuilder().gradientCheckpointing(true)
                        .build()),
                Arguments.of("sft", base.toBuilder().method(TrainingMethod.SFT).lossTypes(List.of("sft")).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void stepsUnderGcPressureEqualQuietSteps(String name, TrainingConfig config) throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(6, 5), false);
        try (CausalLM quiet = Fixtures.trainablePolicy(); CausalLM pressed = Fixtures.trainablePolicy();
             PolicyTrainer one = new PolicyTrainer(quiet, config, Fixtures.PAD_ID, 3);
             PolicyTrainer two = new PolicyTrainer(pressed, config, Fixtures.PAD_ID, 3)) {
            for (int step = 1; step <= 3; step++) {
                StepMetrics expected = one.step(pairs, step).metrics();
                StepMetrics actual;
                try (GcPressure pressure = GcPressure.start()) {
                    actual = two.step(pairs, step).metrics();
                }
                assertEquals(expected.loss(), actual.loss(), 0.0, "loss of step " + step);
                assertEquals(expected.gradNorm(), actual.gradNorm(), 0.0, "grad norm of step " + step);
            }
            assertEquals(0.0, AccumulationEquivalenceTest.maxDifference(quiet.parameters(), pressed.parameters()));
        }
    }
}
