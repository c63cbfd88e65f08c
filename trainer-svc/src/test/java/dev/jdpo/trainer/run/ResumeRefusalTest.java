package dev.jdpo.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.config.LoraTraining;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resuming with another trajectory config or other data is refused, naming what differs. */
class ResumeRefusalTest {

    @Test
    void refusesChangedConfigAndChangedData(@TempDir Path tmp) throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(4, 1), false);
        TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(1).build();
        TrainingRun.Output output = new TrainingRun.Output(tmp, SaveOptions.defaults());
        try (CausalLM policy = Fixtures.trainablePolicy();
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config, output)) {
            run.run(new TrainingListener() { });
        }
        Path checkpoint = Checkpoints.directory(tmp, 1);
        TrainingConfig otherBeta = config.toBuilder().beta(0.2).build();
        CheckpointException config1 = assertThrows(CheckpointException.class, () -> TrainingRun.resume(checkpoint,
                LoadOptions.trainableCpu(), Fixtures.PAD_ID, pairs, otherBeta, output));
        assertTrue(config1.getMessage().endsWith("different configuration: beta: 0.1 -> 0.2"), config1.getMessage());
        List<TrainingPair> otherData = Fixtures.withReference(Fixtures.syntheticPairs(4, 2), false);
        CheckpointException data = assertThrows(CheckpointException.class, () -> TrainingRun.resume(checkpoint,
                LoadOptions.trainableCpu(), Fixtures.PAD_ID, otherData, config, output));
        assertTrue(data.getMessage().contains("the training pairs differ"), data.getMessage());
    }

    @Test
    void refusesOtherLoraSettings(@TempDir Path tmp) throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(4, 1), false);
        LoraConfig settings = new LoraConfig(4, 8, 0, false, TargetModules.names(List.of("q_proj", "v_proj")));
        TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(1)
                .lora(new LoraTraining(null, settings, false)).build();
        TrainingRun.Output output = new TrainingRun.Output(tmp, SaveOptions.defaults());
        try (CausalLM base = CausalLM.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            base.attachAdapter(LoraAdapter.create(base, settings, 7, true));
            try (TrainingRun run = TrainingRun.start(base, Fixtures.PAD_ID, pairs, config, output)) {
                run.run(new TrainingListener() { });
            }
        }
        Path checkpoint = Checkpoints.directory(tmp, 1);
        TrainingConfig otherRank = config.toBuilder().lora(new LoraTraining(null, new LoraConfig(8, 8, 0, false,
                settings.targetModules()), false)).build();
        CheckpointException rank = assertThrows(CheckpointException.class, () -> TrainingRun.resume(checkpoint,
                Fixtures.policyDir(), LoadOptions.trainableCpu(), Fixtures.PAD_ID, pairs, otherRank, output));
        assertTrue(rank.getMessage().endsWith("different configuration: lora_r: 4 -> 8"), rank.getMessage());
        TrainingConfig full = config.toBuilder().lora(null).build();
        CheckpointException asFull = assertThrows(CheckpointException.class, () -> TrainingRun.resume(checkpoint,
                LoadOptions.trainableCpu(), Fixtures.PAD_ID, pairs, full, output));
        assertTrue(asFull.getMessage().contains("lora_r: 4 -> null"), asFull.getMessage());
        try (TrainingRun resumed = TrainingRun.resume(checkpoint, Fixtures.policyDir(), LoadOptions.trainableCpu(),
                Fixtures.PAD_ID, pairs, config.toBuilder().maxSteps(2).build(), output)) {
            assertEquals(1, resumed.completedSteps(), "the same settings resume");
        }
    }
}
