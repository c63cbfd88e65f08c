package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.proto.v1.ServicesConfig;

/**
 * How often and how patiently a service that is UNAVAILABLE is tried again: {@code attempts} more tries, waiting
 * {@code backoffMillis} before the first, doubled each time.
 */
record ServiceRetries(int attempts, long backoffMillis) {

    /** From {@code services.unavailable_retries} / {@code retry_backoff_ms}; defaults 5 and 500 ms. */
    static ServiceRetries of(ServicesConfig services) {
        return new ServiceRetries(services.hasUnavailableRetries() ? services.getUnavailableRetries() : 5,
                services.hasRetryBackoffMs() ? services.getRetryBackoffMs() : 500);
    }

    /** The wait before retry number {@code retry} (1-based). */
    long backoffBefore(int retry) {
        return backoffMillis << Math.min(retry - 1, 20);
    }
}
