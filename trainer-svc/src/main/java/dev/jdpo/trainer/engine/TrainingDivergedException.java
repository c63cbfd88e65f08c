package dev.jdpo.trainer.engine;

/** A loss or gradient went NaN or infinite; the message names the step. The weights were not updated. */
public final class TrainingDivergedException extends Exception {

    private final int step;

    public TrainingDivergedException(int step, String message) {
        super(message);
        this.step = step;
    }

    /** The 1-based optimizer step that diverged. */
    public int step() {
        return step;
    }
}
