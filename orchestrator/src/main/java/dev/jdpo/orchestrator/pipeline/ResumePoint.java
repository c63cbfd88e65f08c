package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.checkpoint.TrainerState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The checkpoint a run continues from: its own newest one after a restart, else the one its config names. */
record ResumePoint(Path directory, long step) {

    /**
     * After a restart, a checkpoint the trainer finished in the run's output_dir while no orchestrator listened
     * (it saves one when its caller goes away) is newer than the last one registered: it is registered with the
     * run now, and the run resumes from the newest.
     */
    static Optional<ResumePoint> of(RunStart start, RunReporter reporter) throws RunFailure {
        if (start.resumeFrom().isPresent()) {
            ResumePoint registered = start.resumeFrom().map(c -> new ResumePoint(Path.of(c.getPath()), c.getStep()))
                    .orElseThrow();
            return Optional.of(registered.withUnregistered(Path.of(start.config().getOutput().getOutputDir()),
                    reporter));
        }
        String configured = start.config().getOutput().getResumeFromCheckpoint();
        if (configured.isEmpty()) {
            return Optional.empty();
        }
        Path directory = Path.of(configured);
        try {
            return Optional.of(new ResumePoint(directory, TrainerState.read(directory).globalStep()));
        } catch (CheckpointException unreadable) {
            throw new RunFailure("checkpoint_error", "output.resume_from_checkpoint: " + unreadable.getMessage(),
                    "output.resume_from_checkpoint");
        }
    }

    /**
     * This point, or the newest complete checkpoint past it in {@code outputDir} written by the same run (same
     * config, data and length as this point's), each registered on the way.
     */
    private ResumePoint withUnregistered(Path outputDir, RunReporter reporter) {
        ResumePoint newest = this;
        try {
            TrainerState registered = TrainerState.read(directory);
            for (Path dir : Checkpoints.list(outputDir)) {
                try {
                    TrainerState state = TrainerState.read(dir);
                    if (state.globalStep() > newest.step() && sameRun(state, registered)) {
                        reporter.checkpoint(state.globalStep(), dir, Map.of());
                        newest = new ResumePoint(dir, state.globalStep());
                    }
                } catch (CheckpointException unreadable) {
                    reporter.warn("ignoring " + dir + ": " + unreadable.getMessage());
                }
            }
        } catch (CheckpointException | IOException unlisted) {
            // the trainer runs elsewhere or the registered checkpoint is gone: the trainer reports what it finds
            return this;
        }
        return newest;
    }

    private static boolean sameRun(TrainerState state, TrainerState registered) {
        return state.totalSteps() == registered.totalSteps()
                && state.configFingerprint().equals(registered.configFingerprint())
                && state.datasetFingerprint().equals(registered.datasetFingerprint());
    }
}
