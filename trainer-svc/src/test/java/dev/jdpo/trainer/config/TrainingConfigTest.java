package dev.jdpo.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Invalid hyperparameters are refused with a message that names the field. */
class TrainingConfigTest {

    private static InvalidConfigException refused(TrainingConfig.Builder builder) {
        return assertThrows(InvalidConfigException.class, builder::build);
    }

    @Test
    void betaMustBePositive() {
        InvalidConfigException e = refused(TrainingConfig.builder().beta(0));
        assertEquals("training.beta", e.field());
        assertEquals("training.beta: must be a finite number > 0, got 0.0", e.getMessage());
        assertEquals("training.beta", refused(TrainingConfig.builder().beta(-1)).field());
    }

    @Test
    void labelSmoothingMustBeBelowOneHalf() {
        assertEquals("training.label_smoothing", refused(TrainingConfig.builder().labelSmoothing(0.5)).field());
        assertEquals("training.label_smoothing", refused(TrainingConfig.builder().labelSmoothing(-0.1)).field());
        assertEquals("training.label_smoothing",
                refused(TrainingConfig.builder().lossTypes(List.of("exo_pair")).labelSmoothing(0)).field());
    }

    @Test
    void unknownLossIsRefused() {
        InvalidConfigException e = refused(TrainingConfig.builder().lossTypes(List.of("sigmoid", "dpo++")));
        assertEquals("training.loss_types", e.field());
        assertTrue(e.getMessage().startsWith("training.loss_types: unknown loss 'dpo++', expected one of sigmoid,"));
    }

    @Test
    void lossWeightsMustMatchLossTypes() {
        InvalidConfigException e = refused(TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft"))
                .lossWeights(List.of(1.0, 1.0, 0.5)));
        assertEquals("training.loss_weights: expected 2 values for training.loss_types [sigmoid, sft], got 3",
                e.getMessage());
    }

    @Test
    void otherRangesNameTheirField() {
        assertEquals("training.ld_alpha", refused(TrainingConfig.builder().ldAlpha(1.5)).field());
        assertEquals("training.learning_rate", refused(TrainingConfig.builder().learningRate(0)).field());
        assertEquals("training.batch_size", refused(TrainingConfig.builder().batchSize(0)).field());
        assertEquals("training.gradient_accumulation_steps",
                refused(TrainingConfig.builder().gradientAccumulationSteps(0)).field());
        assertEquals("training.max_grad_norm", refused(TrainingConfig.builder().maxGradNorm(-1)).field());
        assertEquals("training.warmup_ratio", refused(TrainingConfig.builder().warmupRatio(1.0)).field());
        assertEquals("training.use_weighting", refused(TrainingConfig.builder().lossTypes(List.of("aot")).useWeighting(true))
                .field());
        assertEquals("scheduler", assertThrows(InvalidConfigException.class,
                () -> SchedulerType.parse("scheduler", "step")).field());
    }
}
