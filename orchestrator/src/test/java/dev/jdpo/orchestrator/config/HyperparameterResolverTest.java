package dev.jdpo.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.proto.v1.AutoDouble;
import dev.jdpo.proto.v1.AutoInt;
import dev.jdpo.proto.v1.Hyperparameters;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HyperparameterResolverTest {

    private final HyperparameterResolver resolver = new HyperparameterResolver();
    private final RunConfigDefaults defaults = new RunConfigDefaults();

    private ResolvedHyperparameters resolve(RunConfig config, long pairs) {
        return resolver.resolve(defaults.apply(config), pairs, 0);
    }

    @ParameterizedTest(name = "{0} pairs -> {1} epochs, batch {2}")
    @CsvSource({
            "1, 25, 1",        // 3 passes see 3 pairs < 100: ceil(100/1) = 100, capped at 25
            "10, 10, 1",       // ceil(100/10)
            "33, 4, 1",        // 99 < 100: ceil(100/33) = 4
            "34, 3, 1",        // 102 >= 100: the default 3
            "250, 3, 2",       // batch floor(250/100)
            "5000, 3, 8",      // 15000 <= 25000: 3; batch capped at 8
    })
    void autoEpochsAndBatchSizeFollowTheDocumentedRule(long pairs, int epochs, int batch) {
        ResolvedHyperparameters resolved = resolve(RunConfig.getDefaultInstance(), pairs);
        assertEquals(epochs, resolved.getNEpochs());
        assertEquals(batch, resolved.getBatchSize());
    }

    @Test
    void largeDatasetsGetFewerEpochs() {
        assertEquals(2, resolve(RunConfig.getDefaultInstance(), 10_000).getNEpochs(), "30000 > 25000: 25000/10000");
        assertEquals(1, resolve(RunConfig.getDefaultInstance(), 100_000).getNEpochs());
        assertEquals(3, resolve(RunConfig.getDefaultInstance(), 8_000).getNEpochs(), "24000 <= 25000");
    }

    @Test
    void explicitValuesWinAndTheMultiplierScalesTheLearningRate() {
        RunConfig config = RunConfig.newBuilder()
                .setTraining(TrainingConfig.newBuilder().setLearningRate(2e-6).setGradientAccumulationSteps(2))
                .setHyperparameters(Hyperparameters.newBuilder()
                        .setNEpochs(AutoInt.newBuilder().setValue(2))
                        .setBatchSize(AutoInt.newBuilder().setValue(3))
                        .setLearningRateMultiplier(AutoDouble.newBuilder().setValue(0.5))
                        .setBeta(AutoDouble.newBuilder().setValue(0.2)))
                .build();
        ResolvedHyperparameters resolved = resolve(config, 20);
        assertEquals(2, resolved.getNEpochs());
        assertEquals(3, resolved.getBatchSize());
        assertEquals(0.2, resolved.getBeta());
        assertEquals(1e-6, resolved.getLearningRate(), 1e-18);
        assertEquals(0.5, resolved.getLearningRateMultiplier());
        // ceil(20 / 3) = 7 micro-batches, ceil(7 / 2) = 4 optimizer steps per epoch, 2 epochs
        assertEquals(8, resolved.getTotalSteps());
    }

    @Test
    void autoBetaIsOneTenthAndMaxStepsCapsTheTotal() {
        RunConfig config = RunConfig.newBuilder()
                .setTraining(TrainingConfig.newBuilder().setMaxSteps(5))
                .setHyperparameters(Hyperparameters.newBuilder().setBeta(AutoDouble.newBuilder().setAuto(true)))
                .build();
        ResolvedHyperparameters resolved = resolve(config, 1000);
        assertEquals(0.1, resolved.getBeta());
        assertEquals(1.0, resolved.getLearningRateMultiplier());
        assertEquals(5, resolved.getTotalSteps());
    }
}
