package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.trainer.checkpoint.ConfigJson;
import dev.jdpo.trainer.checkpoint.TrainerState;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.DataCursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a run starts: after a restart, from its newest checkpoint, counting the ones its trainer finished while no
 * orchestrator listened (registered now); else from the checkpoint its config names.
 */
class ResumePointTest {

    private static final TrainingConfig CONFIG = TrainingConfig.builder().build();

    @TempDir
    Path out;

    @Test
    void aRestartRegistersTheRunsCheckpointsPastTheLastRegisteredOneAndResumesFromTheNewest() throws Exception {
        for (int step : new int[] {5, 10, 15}) {
            checkpoint(step, 40);
        }
        checkpoint(20, 80);
        Files.createDirectories(out.resolve("checkpoint-30"));
        RecordingReporter reporter = new RecordingReporter();
        Optional<ResumePoint> point = ResumePoint.of(new RunStart("run", run(""), ResolvedHyperparameters
                .getDefaultInstance(), Optional.of(Checkpoint.newBuilder().setStep(5)
                .setPath(out.resolve("checkpoint-5").toString()).build())), reporter);
        assertEquals(Optional.of(new ResumePoint(out.resolve("checkpoint-15"), 15, 15)), point);
        assertEquals(Map.of(10L, out.resolve("checkpoint-10"), 15L, out.resolve("checkpoint-15")), reporter.checkpoints,
                "checkpoint-20 is another run's (another length), checkpoint-30 has no trainer_state.json");
        assertTrue(reporter.messages.stream().anyMatch(m -> m.startsWith("ignoring " + out.resolve("checkpoint-30"))),
                reporter.messages.toString());
    }

    @Test
    void aDpoStagesCheckpointsCountTheSftWarmupStepsInTheRunButNotInTheTrainersStep() throws Exception {
        for (int step : new int[] {2, 3}) {
            checkpoint(step, 40);
        }
        RecordingReporter reporter = new RecordingReporter();
        // 10 SFT steps before: the stage's checkpoint-2 is the run's step 12
        Optional<ResumePoint> point = ResumePoint.of(new RunStart("run", run(""), ResolvedHyperparameters
                .getDefaultInstance(), Optional.of(Checkpoint.newBuilder().setStep(12)
                .setPath(out.resolve("checkpoint-2").toString()).build())), reporter);
        assertEquals(Optional.of(new ResumePoint(out.resolve("checkpoint-3"), 3, 13)), point);
        assertEquals(Map.of(13L, out.resolve("checkpoint-3")), reporter.checkpoints);
    }

    @Test
    void aFreshRunStartsFromTheCheckpointItsConfigNamesAndRegistersNothing() throws Exception {
        checkpoint(5, 40);
        checkpoint(10, 40);
        RecordingReporter reporter = new RecordingReporter();
        Optional<ResumePoint> point = ResumePoint.of(new RunStart("run", run(out.resolve("checkpoint-5").toString()),
                ResolvedHyperparameters.getDefaultInstance(), Optional.empty()), reporter);
        assertEquals(Optional.of(new ResumePoint(out.resolve("checkpoint-5"), 5, 5)), point);
        assertEquals(Map.of(), reporter.checkpoints);
    }

    private RunConfig run(String resumeFrom) {
        return RunConfig.newBuilder().setOutput(OutputConfig.newBuilder().setOutputDir(out.toString())
                .setResumeFromCheckpoint(resumeFrom)).build();
    }

    /** A checkpoint directory with only its trainer_state.json, all ResumePoint reads. */
    private void checkpoint(int step, int totalSteps) throws Exception {
        Path dir = Files.createDirectories(out.resolve("checkpoint-" + step));
        new TrainerState(step, 0.5, new DataCursor(0, step), 100L * step, totalSteps, 1e-4, "data", false, Map.of(),
                ConfigJson.toJson(CONFIG), ConfigJson.fingerprint(CONFIG)).write(dir);
    }
}
