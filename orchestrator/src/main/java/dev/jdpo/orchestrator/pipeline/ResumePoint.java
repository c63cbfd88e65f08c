package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.checkpoint.TrainerState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The checkpoint a run continues from: its own newest one after a restart, else the one its config names.
 *
 * @param step    the trainer's own step of the checkpoint (its trainer_state.json's): where the job resumes, counted
 *                within its stage under {@code training.sft_warmup}
 * @param runStep the run's step at the checkpoint, which also counts the earlier stages' steps
 */
record ResumePoint(Path directory, long step, long runStep) {

    /**
     * After a restart, a checkpoint the trainer finished in the run's output_dir while no orchestrator listened
     * (it saves one when its caller goes away) is newer than the last one registered: it is registered with the
     * run now, and the run resumes from the newest.
     */
    static Optional<ResumePoint> of(RunStart start, RunReporter reporter) throws RunFailure {
        if (start.resumeFrom().isPresent()) {
            Checkpoint last = start.resumeFrom().orElseThrow();
            return Optional.of(registered(Path.of(last.getPath()), last.getStep(),
                    Path.of(start.config().getOutput().getOutputDir()), reporter));
        }
        String configured = start.config().getOutput().getResumeFromCheckpoint();
        if (configured.isEmpty()) {
            return Optional.empty();
        }
        Path directory = Path.of(configured);
        try {
            int step = TrainerState.read(directory).globalStep();
            return Optional.of(new ResumePoint(directory, step, step));
        } catch (CheckpointException unreadable) {
            throw new RunFailure("checkpoint_error", "output.resume_from_checkpoint: " + unreadable.getMessage(),
                    "output.resume_from_checkpoint");
        }
    }

    /**
     * The registered checkpoint, or the newest complete checkpoint past it in {@code outputDir} written by the same
     * run (same config, data and length), each registered on the way at its run step.
     */
    private static ResumePoint registered(Path directory, long runStep, Path outputDir, RunReporter reporter) {
        TrainerState registered;
        try {
            registered = TrainerState.read(directory);
        } catch (CheckpointException unreadable) {
            // the trainer runs elsewhere or the registered checkpoint is gone: the trainer reports what it finds
            return new ResumePoint(directory, runStep, runStep);
        }
        // a DPO stage's checkpoints count the SFT warm-up's steps in the run, not in their trainer_state.json
        long stageOffset = runStep - registered.globalStep();
        ResumePoint newest = new ResumePoint(directory, registered.globalStep(), runStep);
        try {
            for (Path dir : Checkpoints.list(outputDir)) {
                try {
                    TrainerState state = TrainerState.read(dir);
                    if (state.globalStep() > newest.step() && sameRun(state, registered)) {
                        reporter.checkpoint(stageOffset + state.globalStep(), dir, Map.of());
                        newest = new ResumePoint(dir, state.globalStep(), stageOffset + state.globalStep());
                    }
                } catch (CheckpointException unreadable) {
                    reporter.warn("ignoring " + dir + ": " + unreadable.getMessage());
                }
            }
        } catch (IOException unlisted) {
            return newest;
        }
        return newest;
    }

    private static boolean sameRun(TrainerState state, TrainerState registered) {
        return state.totalSteps() == registered.totalSteps()
                && state.configFingerprint().equals(registered.configFingerprint())
                && state.datasetFingerprint().equals(registered.datasetFingerprint());
    }
}
