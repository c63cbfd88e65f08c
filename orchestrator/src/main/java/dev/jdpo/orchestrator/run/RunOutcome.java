package dev.jdpo.orchestrator.run;

import java.nio.file.Path;

/** How {@link RunExecutor#execute} ended, short of an exception. */
public sealed interface RunOutcome {

    /** Trained to the end; the aligned Hugging Face checkpoint is in {@code modelDir}. */
    record Completed(Path modelDir) implements RunOutcome {
    }

    /** Stopped at a step boundary because {@link RunReporter#stopRequested()} turned true. */
    record Stopped(long step) implements RunOutcome {
    }
}
