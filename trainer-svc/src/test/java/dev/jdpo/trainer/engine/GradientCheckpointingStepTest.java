package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.LoraTraining;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training steps with gradient checkpointing follow the plain steps: same losses, grad norms and weights. */
class GradientCheckpointingStepTest {

    @Test
    void checkpointedStepsEqualPlainSteps() throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(6, 3), false);
        TrainingConfig plain = TrainingConfig.builder().learningRate(1e-3).scheduler(SchedulerType.CONSTANT)
                .batchSize(3).gradientAccumulationSteps(2).maxSteps(3).build();
        TrainingConfig checkpointed = plain.toBuilder().gradientCheckpointing(true).build();
        try (CausalLM a = Fixtures.trainablePolicy(); CausalLM b = Fixtures.trainablePolicy();
             PolicyTrainer one = new PolicyTrainer(a, plain, Fixtures.PAD_ID, 3);
             PolicyTrainer two = new PolicyTrainer(b, checkpointed, Fixtures.PAD_ID, 3)) {
            for (int step = 1; step <= 3; step++) {
                StepMetrics expected = one.step(pairs, step).metrics();
                StepMetrics actual = two.step(pairs, step).metrics();
                assertEquals(expected.loss(), actual.loss(), 1e-6 * expected.loss(), "loss of step " + step);
                assertEquals(expected.gradNorm(), actual.gradNorm(), 1e-5 * expected.gradNorm(), "step " + step);
            }
            assertEquals(0.0, AccumulationEquivalenceTest.maxDifference(a.parameters(), b.parameters()), 1e-5);
        }
    }

    @Test
    void refusedWithLoraDropoutNamingTheField() {
        LoraTraining dropout = new LoraTraining(null, new LoraConfig(4, 8, 0.1, false,
                TargetModules.names(List.of("q_proj"))), false);
        InvalidConfigException refused = assertThrows(InvalidConfigException.class,
                () -> TrainingConfig.builder().lora(dropout).gradientCheckpointing(true).build());
        assertEquals("training.gradient_checkpointing", refused.field());
    }
}
