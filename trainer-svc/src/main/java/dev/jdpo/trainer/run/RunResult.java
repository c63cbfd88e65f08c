package dev.jdpo.trainer.run;

import java.nio.file.Path;

/**
 * How a run ended.
 *
 * @param completed true when every scheduled step ran; false when it was cancelled
 * @param steps optimizer steps completed
 * @param lastCheckpoint the newest checkpoint directory written, or null
 * @param finalModel {@code OUTPUT/final}, the HF model directory of a completed run, or null
 */
public record RunResult(boolean completed, int steps, Path lastCheckpoint, Path finalModel) { }
