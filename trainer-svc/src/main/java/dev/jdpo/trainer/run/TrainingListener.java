package dev.jdpo.trainer.run;

import dev.jdpo.trainer.engine.StepResult;
import java.io.IOException;
import java.nio.file.Path;

/** Receives a run's progress on the training thread; every method defaults to doing nothing. */
public interface TrainingListener {

    /** After every optimizer step. */
    default void onStep(StepResult result, int totalSteps) throws IOException { }

    /** At every logging step. */
    default void onLog(LoggedMetrics metrics) throws IOException { }

    /** After a checkpoint directory was written completely. */
    default void onCheckpoint(int step, Path directory) throws IOException { }
}
