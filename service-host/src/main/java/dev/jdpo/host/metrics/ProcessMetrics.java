package dev.jdpo.host.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The process's one Prometheus registry, with the JVM and process metrics (memory, GC, threads, CPU, open files)
 * registered on first use. Every metric a jdpo process exports goes here, so one {@link MetricsEndpoint} serves all.
 */
public final class ProcessMetrics {

    private ProcessMetrics() {
    }

    /** The client's default registry, so metrics registered by libraries through their defaults land here too. */
    public static PrometheusRegistry registry() {
        Holder.touch();
        return PrometheusRegistry.defaultRegistry;
    }

    // class initialisation is the JVM's own once-only guard: the JVM metrics are registered exactly once
    private static final class Holder {
        static {
            JvmMetrics.builder().register(PrometheusRegistry.defaultRegistry);
        }

        static void touch() {
        }
    }
}
