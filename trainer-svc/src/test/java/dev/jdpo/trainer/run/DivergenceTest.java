package dev.jdpo.trainer.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.TrainingDivergedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose loss turns NaN stops with the step named and keeps its last good checkpoint. */
class DivergenceTest {

    @Test
    void nonFiniteLossStopsTheRunAndKeepsTheLastCheckpoint(@TempDir Path tmp) throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(4, 3), false);
        // lr 1e30 makes the first update push weights to ~1e30, which overflows the next forward pass
        TrainingConfig config = TrainingConfig.builder().learningRate(1e30).maxGradNorm(0)
                .scheduler(SchedulerType.CONSTANT).batchSize(2).maxSteps(5).saveSteps(1).build();
        TrainingRun.Output output = new TrainingRun.Output(tmp, SaveOptions.defaults());
        try (CausalLM policy = Fixtures.trainablePolicy();
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config, output)) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> run.run(new TrainingListener() { }));
            Path kept = Checkpoints.directory(tmp, 1);
            assertTrue(e.getMessage().startsWith("step 2: loss is "), e.getMessage());
            assertTrue(e.getMessage().endsWith("the last good checkpoint is " + kept), e.getMessage());
            assertTrue(Files.isRegularFile(kept.resolve("trainer_state.json")));
            assertFalse(Files.exists(Checkpoints.directory(tmp, 2)));
            assertFalse(Files.exists(tmp.resolve("final")));
        }
        CausalLM.load(Checkpoints.directory(tmp, 1), LoadOptions.cpu()).close();
    }
}
