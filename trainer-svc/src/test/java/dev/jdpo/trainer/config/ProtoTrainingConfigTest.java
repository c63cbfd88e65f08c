package dev.jdpo.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.StorageDType;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.proto.v1.OutputConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run API's settings map field for field onto the engine's config, and unset ones take config.proto's defaults. */
class ProtoTrainingConfigTest {

    @Test
    void everyFieldMaps() {
        dev.jdpo.proto.v1.TrainingConfig training = dev.jdpo.proto.v1.TrainingConfig.newBuilder()
                .addAllLossTypes(List.of("sigmoid", "sft", "exo_pair")).addAllLossWeights(List.of(1.0, 0.25, 0.5))
                .setBeta(0.3).setLabelSmoothing(0.01).setSimpoGamma(1.5).setDiscopopTau(0.07).setLdAlpha(0.6)
                .setUseWeighting(true).setLearningRate(3e-5).setWeightDecay(0.02).setMaxGradNorm(0.7)
                .setLrScheduler("cosine").setWarmupSteps(4).setWarmupRatio(0.2).setBatchSize(3)
                .setGradientAccumulationSteps(5).setMaxSteps(77).setEpochs(2).setSeed(1234)
                .setLossScaling(dev.jdpo.proto.v1.LossScaling.newBuilder().setInitScale(1024).setGrowthFactor(4)
                        .setBackoffFactor(0.25).setGrowthInterval(50)).build();
        OutputConfig output = OutputConfig.newBuilder().setCheckpointInterval(11).setSaveTotalLimit(3)
                .setLogInterval(6).setSaveDtype("bf16").build();
        TrainingConfig expected = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft", "exo_pair"))
                .lossWeights(List.of(1.0, 0.25, 0.5)).beta(0.3).labelSmoothing(0.01).simpoGamma(1.5)
                .discopopTau(0.07).ldAlpha(0.6).useWeighting(true).learningRate(3e-5).weightDecay(0.02)
                .maxGradNorm(0.7).scheduler(SchedulerType.COSINE)
                .warmupSteps(4).warmupRatio(0.2).batchSize(3).gradientAccumulationSteps(5).maxSteps(77).epochs(2)
                .seed(1234).saveSteps(11).saveTotalLimit(3).loggingSteps(6).saveDtype(StorageDType.BF16)
                .lossScaling(new LossScaling(1024, 4, 0.25, 50)).build();
        assertEquals(expected, ProtoTrainingConfig.toEngine(training, output));
    }

    @Test
    void emptyMessagesMeanTheRunApiDefaults() {
        TrainingConfig c = ProtoTrainingConfig.toEngine(dev.jdpo.proto.v1.TrainingConfig.getDefaultInstance(),
                OutputConfig.getDefaultInstance());
        assertEquals(List.of(LossType.SIGMOID), c.lossTypes());
        assertEquals(0.1, c.beta());
        assertEquals(1e-6, c.learningRate());
        assertEquals(0.1, c.warmupRatio(), "config.proto's warmup_ratio, not TRL's 0");
        assertEquals(100, c.saveSteps(), "config.proto's checkpoint_interval");
        assertEquals(10, c.loggingSteps(), "config.proto's log_interval");
        assertEquals(TrainingDefaults.EPOCHS, c.epochs());
        assertEquals(TrainingDefaults.BATCH_SIZE, c.batchSize());
        assertNull(c.ldAlpha());
        assertEquals(LossScaling.DEFAULT, c.lossScaling(), "torch GradScaler's defaults");
    }

    @Test
    void errorsNameTheRunApiFieldPath() {
        OutputConfig output = OutputConfig.getDefaultInstance();
        assertEquals("training.beta", assertThrows(InvalidConfigException.class, () -> ProtoTrainingConfig.toEngine(
                dev.jdpo.proto.v1.TrainingConfig.newBuilder().setBeta(-1).build(), output)).field());
        assertEquals("training.lr_scheduler", assertThrows(InvalidConfigException.class,
                () -> ProtoTrainingConfig.toEngine(dev.jdpo.proto.v1.TrainingConfig.newBuilder()
                        .setLrScheduler("step").build(), output)).field());
        assertEquals("output.log_interval", assertThrows(InvalidConfigException.class,
                () -> ProtoTrainingConfig.toEngine(dev.jdpo.proto.v1.TrainingConfig.getDefaultInstance(),
                        OutputConfig.newBuilder().setLogInterval(0).build())).field());
        assertEquals("training.loss_scaling.backoff_factor", assertThrows(InvalidConfigException.class,
                () -> ProtoTrainingConfig.toEngine(dev.jdpo.proto.v1.TrainingConfig.newBuilder().setLossScaling(
                        dev.jdpo.proto.v1.LossScaling.newBuilder().setBackoffFactor(1)).build(), output)).field());
    }

    @Test
    void loraMapsWithPeftDefaultsAndNamesItsFields() {
        assertNull(ProtoTrainingConfig.lora(dev.jdpo.proto.v1.TrainingConfig.getDefaultInstance()), "unset: no LoRA");
        LoraTraining defaults = ProtoTrainingConfig.lora(lora(dev.jdpo.proto.v1.LoraConfig.getDefaultInstance()));
        assertEquals(new LoraConfig(8, 8, 0, false, TargetModules.names(List.of("q_proj", "v_proj"))),
                defaults.newAdapter());
        assertNull(defaults.adapter());
        LoraTraining all = ProtoTrainingConfig.lora(lora(dev.jdpo.proto.v1.LoraConfig.newBuilder().setR(16)
                .setLoraAlpha(32).setLoraDropout(0.1).setUseRslora(true).addTargetModules("all-linear")
                .setMergeAtEnd(true).build()));
        assertEquals(new LoraConfig(16, 32, 0.1, true, TargetModules.allLinear()), all.newAdapter());
        assertTrue(all.mergeAtEnd());
        for (var bad : List.of(dev.jdpo.proto.v1.LoraConfig.newBuilder().setR(0),
                dev.jdpo.proto.v1.LoraConfig.newBuilder().setLoraAlpha(-1),
                dev.jdpo.proto.v1.LoraConfig.newBuilder().setLoraDropout(1),
                dev.jdpo.proto.v1.LoraConfig.newBuilder().addTargetModules(" "),
                dev.jdpo.proto.v1.LoraConfig.newBuilder().setAdapter("a").setUseRslora(false))) {
            String field = assertThrows(InvalidConfigException.class,
                    () -> ProtoTrainingConfig.lora(lora(bad.build()))).field();
            assertTrue(field.startsWith("training.lora.") && !field.equals("training.lora.adapter"), field);
        }
    }

    private static dev.jdpo.proto.v1.TrainingConfig lora(dev.jdpo.proto.v1.LoraConfig lora) {
        return dev.jdpo.proto.v1.TrainingConfig.newBuilder().setLora(lora).build();
    }
}
