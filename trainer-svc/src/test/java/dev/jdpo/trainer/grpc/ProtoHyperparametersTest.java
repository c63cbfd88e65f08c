package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jdpo.model.StorageDType;
import dev.jdpo.proto.internal.v1.TrainerHyperparameters;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every engine hyperparameter survives the wire, and an empty message means the engine's defaults. */
class ProtoHyperparametersTest {

    @Test
    void everyFieldRoundTrips() {
        TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft", "exo_pair"))
                .lossWeights(List.of(1.0, 0.25, 0.5)).beta(0.3).labelSmoothing(0.01).simpoGamma(1.5)
                .discopopTau(0.07).ldAlpha(0.6).useWeighting(true).learningRate(3e-5).weightDecay(0.02)
                .adamBetas(0.8, 0.95).adamEpsilon(1e-6).maxGradNorm(0.7).scheduler(SchedulerType.COSINE)
                .warmupSteps(4).warmupRatio(0.2).batchSize(3).gradientAccumulationSteps(5).maxSteps(77).epochs(2)
                .seed(1234).saveSteps(11).saveTotalLimit(3).loggingSteps(6).saveDtype(StorageDType.BF16).build();
        assertEquals(config, ProtoHyperparameters.toConfig(ProtoHyperparameters.toProto(config)));
    }

    @Test
    void emptyMessageMeansTheEngineDefaults() {
        TrainingConfig defaults = TrainingConfig.builder().build();
        assertEquals(defaults, ProtoHyperparameters.toConfig(TrainerHyperparameters.getDefaultInstance()));
        assertNull(ProtoHyperparameters.toConfig(TrainerHyperparameters.getDefaultInstance()).ldAlpha());
        assertEquals(defaults, ProtoHyperparameters.toConfig(ProtoHyperparameters.toProto(defaults)));
    }
}
