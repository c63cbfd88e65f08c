package dev.jdpo.trainer.data;

import java.io.InterruptedIOException;
import java.util.List;

/** Where a training run takes its pairs from: each epoch visits every pair once, in the seeded order. */
public interface PairSource {

    /** Pairs in one epoch. */
    int size();

    /** Identifies the dataset in checkpoints, so a resume on other data is refused. */
    String fingerprint();

    /**
     * The {@code count} pairs the epoch's order visits from {@code cursor} on (never past the epoch's end).
     *
     * @return null when the pairs will not come (their sender went away)
     * @throws InterruptedIOException when the waiting thread is interrupted
     */
    List<TrainingPair> next(DataCursor cursor, int count) throws InterruptedIOException;
}
