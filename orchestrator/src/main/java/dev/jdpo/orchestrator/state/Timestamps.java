package dev.jdpo.orchestrator.state;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Epoch milliseconds (the tables' time unit) to and from protobuf timestamps. */
public final class Timestamps {

    private Timestamps() {
    }

    public static Timestamp ofMillis(long millis) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000L))
                .setNanos((int) Math.floorMod(millis, 1000L) * 1_000_000).build();
    }

    public static long toMillis(Timestamp timestamp) {
        return timestamp.getSeconds() * 1000L + timestamp.getNanos() / 1_000_000;
    }

    public static Instant toInstant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
