package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.TrainerState;
import java.nio.file.Path;
import java.util.Optional;

/** The checkpoint a run continues from: its own newest one after a restart, else the one its config names. */
record ResumePoint(Path directory, long step) {

    static Optional<ResumePoint> of(RunStart start) throws RunFailure {
        if (start.resumeFrom().isPresent()) {
            return start.resumeFrom().map(c -> new ResumePoint(Path.of(c.getPath()), c.getStep()));
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
}
