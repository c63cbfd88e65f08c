package dev.jdpo.orchestrator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.TrainingConfig;
import org.junit.jupiter.api.Test;

/** The hyperparameters event says what the run does, not what it was asked in a field that something overrides. */
class HyperparametersLineTest {

    private static final ResolvedHyperparameters RESOLVED = ResolvedHyperparameters.newBuilder().setNEpochs(25)
            .setBatchSize(4).setLearningRate(1e-4).setLearningRateMultiplier(1).setBeta(0.1).setTrainingPairs(100)
            .setValidationPairs(10).setTotalSteps(40).build();

    @Test
    void maxStepsAndAccumulationAreShownAsTheyRun() {
        TrainingConfig training = TrainingConfig.newBuilder().setMaxSteps(40).setGradientAccumulationSteps(2).build();
        assertEquals("Hyperparameters: max_steps=40 (3.08 epochs) pairs_per_step=8 (batch_size=4 x "
                + "gradient_accumulation_steps=2) learning_rate=1.0E-4 (multiplier 1.0) beta=0.1; 100 training pairs, "
                + "10 validation pairs, 40 optimizer steps", HyperparametersLine.describe(RESOLVED, training));
    }

    @Test
    void epochsAndBatchSizeWhenNothingOverridesThem() {
        TrainingConfig training = TrainingConfig.newBuilder().setGradientAccumulationSteps(1).build();
        assertEquals("Hyperparameters: n_epochs=25 batch_size=4 learning_rate=1.0E-4 (multiplier 1.0) beta=0.1; "
                + "100 training pairs, 10 validation pairs, 40 optimizer steps",
                HyperparametersLine.describe(RESOLVED, training));
    }
}
