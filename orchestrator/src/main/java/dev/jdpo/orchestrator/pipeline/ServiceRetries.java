package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.proto.v1.ServicesConfig;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How often and how patiently a service that went away (see {@link #wentAway}) is tried again: {@code attempts}
 * more tries, waiting {@code backoffMillis} before the first, doubled each time. The one retry wait of the
 * streaming calls (tokenizer, trainer): it sees a stop request as promptly as the calls themselves do.
 */
record ServiceRetries(int attempts, long backoffMillis) {

    /** How often a wait looks for a stop request. */
    static final long STOP_POLL_MILLIS = 200;

    /** From {@code services.unavailable_retries} / {@code retry_backoff_ms}; defaults 5 and 500 ms. */
    static ServiceRetries of(ServicesConfig services) {
        return new ServiceRetries(services.hasUnavailableRetries() ? services.getUnavailableRetries() : 5,
                services.hasRetryBackoffMs() ? services.getRetryBackoffMs() : 500);
    }

    /**
     * Whether a call ended because its service went away rather than because it refused the work: unreachable
     * (UNAVAILABLE), or the call cut off by the server's shutdown (CANCELLED, ABORTED). Only meaningful when this
     * side did not cancel the call itself.
     */
    static boolean wentAway(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE, CANCELLED, ABORTED -> true;
            default -> false;
        };
    }

    /** The wait before retry number {@code retry} (1-based). */
    long backoffBefore(int retry) {
        return backoffMillis << Math.min(retry - 1, 20);
    }

    /** Waits out the backoff before retry number {@code retry} in short slices; true when a stop came first. */
    boolean stoppedDuringBackoff(int retry, BooleanSupplier stopRequested) throws InterruptedException {
        long millis = backoffBefore(retry);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
            if (stopRequested.getAsBoolean()) {
                return true;
            }
            Thread.sleep(Math.min(left, STOP_POLL_MILLIS));
        }
        return stopRequested.getAsBoolean();
    }
}
