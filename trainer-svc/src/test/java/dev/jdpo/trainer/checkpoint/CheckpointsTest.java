package dev.jdpo.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.DataCursor;
import dev.jdpo.trainer.optim.AdamW;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trainer_state.json round trip, config fingerprints, and checkpoint directory bookkeeping. */
class CheckpointsTest {

    @Test
    void trainerStateRoundTripsExactly(@TempDir Path dir) throws Exception {
        TrainingConfig config = TrainingConfig.builder().ldAlpha(0.5).build();
        TrainerState state = new TrainerState(17, 2.0 / 3, new DataCursor(2, 5), 123_456L, 40, 1.234567890123e-4,
                "abc", true, Map.of("loss", 0.1 + 0.2, "steps", 2.0), ConfigJson.toJson(config),
                ConfigJson.fingerprint(config));
        state.write(dir);
        TrainerState read = TrainerState.read(dir);
        assertEquals(state.globalStep(), read.globalStep());
        assertEquals(state.epoch(), read.epoch());
        assertEquals(state.cursor(), read.cursor());
        assertEquals(state.numTokens(), read.numTokens());
        assertEquals(state.totalSteps(), read.totalSteps());
        assertEquals(state.learningRate(), read.learningRate());
        assertEquals(state.loggingWindow(), read.loggingWindow());
        assertTrue(read.masterWeights());
        assertEquals(List.of(), ConfigJson.differences(read.config(), config));
        assertEquals(state.configFingerprint(), read.configFingerprint());
    }

    @Test
    void fingerprintIgnoresCadenceButNotTrajectory() {
        TrainingConfig config = TrainingConfig.builder().build();
        assertEquals(ConfigJson.fingerprint(config),
                ConfigJson.fingerprint(config.toBuilder().saveSteps(7).loggingSteps(3).saveTotalLimit(2).build()));
        TrainingConfig changed = config.toBuilder().beta(0.2).build();
        assertEquals(List.of("beta: 0.1 -> 0.2"), ConfigJson.differences(ConfigJson.toJson(config), changed));
    }

    @Test
    void missingFieldIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(TrainerState.FILE), "{\"format\": \"jdpo-trainer-state/1\"}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainerState.read(dir));
        assertTrue(e.getMessage().contains("trainer_state.json: field data is missing"), e.getMessage());
    }

    @Test
    void aFailedSaveLeavesNoPartialFolder(@TempDir Path dir) throws Exception {
        // a state whose config lacks the seed fails while trainer_state.json is written, after the weights
        TrainerState broken = new TrainerState(1, 0.5, new DataCursor(0, 1), 10L, 4, 1e-3, "abc", false, Map.of(),
                new JsonObject(), "fingerprint");
        try (CausalLM policy = Fixtures.trainablePolicy();
             NDManager manager = NDManager.newBaseManager();
             AdamW optimizer = new AdamW(policy.parameters(), new AdamW.Settings(0.9, 0.999, 1e-8, 0.0),
                     AdamW.DECAYS, manager)) {
            Path checkpoint = Checkpoints.directory(dir, 1);
            assertThrows(RuntimeException.class,
                    () -> Checkpoints.write(checkpoint, policy, optimizer, broken, SaveOptions.defaults(),
                            null));
            assertFalse(Files.exists(dir.resolve("checkpoint-1.partial")), "the half-written folder is removed");
            assertFalse(Files.exists(checkpoint));
        }
    }

    @Test
    void pruneKeepsTheNewestAndLatestFindsIt(@TempDir Path dir) throws Exception {
        for (int step : new int[] {5, 10, 100, 20}) {
            Files.createDirectories(Checkpoints.directory(dir, step).resolve("sub"));
        }
        Files.createDirectories(dir.resolve("final"));
        Checkpoints.prune(dir, 2);
        assertEquals(List.of(Checkpoints.directory(dir, 20), Checkpoints.directory(dir, 100)),
                Checkpoints.list(dir));
        assertEquals(Checkpoints.directory(dir, 100), Checkpoints.latest(dir).orElseThrow());
        assertTrue(Files.isDirectory(dir.resolve("final")));
    }

    @Test
    void removePartialDeletesOnlyHalfWrittenCheckpoints(@TempDir Path dir) throws Exception {
        Files.createDirectories(Checkpoints.directory(dir, 10).resolve("sub"));
        Files.createDirectories(dir.resolve("checkpoint-20.partial").resolve("sub"));
        Files.writeString(dir.resolve("checkpoint-20.partial").resolve("sub").resolve("model.safetensors"), "half");
        Files.createDirectories(dir.resolve("notes.partial"));
        Checkpoints.removePartial(dir);
        assertEquals(List.of(Checkpoints.directory(dir, 10)), Checkpoints.list(dir));
        assertTrue(Files.notExists(dir.resolve("checkpoint-20.partial")));
        assertTrue(Files.isDirectory(dir.resolve("notes.partial")), "only checkpoint-<step>.partial is ours");
    }
}
