package dev.jdpo.reference.grpc;

import java.time.Duration;

/**
 * How {@code ScoreStream} batches and paces a stream.
 *
 * @param chunkPairs pairs scored together (then bucketed by length inside the chunk)
 * @param windowPairs most pairs received but not yet answered; the server asks the client for more only below it
 * @param linger how long a partial chunk waits for more pairs before it is scored anyway
 */
public record StreamSettings(int chunkPairs, int windowPairs, Duration linger) {

    public StreamSettings {
        if (chunkPairs < 1 || windowPairs < chunkPairs) {
            throw new IllegalArgumentException("need 1 <= chunkPairs <= windowPairs, got " + chunkPairs + ", " + windowPairs);
        }
    }

    /** 32-pair chunks, 128 pairs in flight, 5 ms linger. */
    public static StreamSettings defaults() {
        return new StreamSettings(32, 128, Duration.ofMillis(5));
    }
}
