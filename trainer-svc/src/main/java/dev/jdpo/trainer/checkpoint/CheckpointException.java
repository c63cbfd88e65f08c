package dev.jdpo.trainer.checkpoint;

/** A checkpoint cannot be read or does not fit the run resuming from it; the message names file and field. */
public final class CheckpointException extends Exception {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
