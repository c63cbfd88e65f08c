package dev.jdpo.host.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Serves the process's metrics ({@link ProcessMetrics#registry()}) in Prometheus' text format at
 * {@code http://HOST:PORT/metrics}, on every interface, through the Prometheus client's HTTP server (the JDK's
 * HttpServer on daemon threads).
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code port} (0 picks a free one).
     *
     * @throws IllegalArgumentException for a port outside [0, 65535]
     * @throws UncheckedIOException     when the port cannot be bound; the message names it
     */
    public static MetricsEndpoint start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-port: must be in [0, 65535], got " + port);
        }
        try {
            return new MetricsEndpoint(HTTPServer.builder().port(port).registry(ProcessMetrics.registry())
                    .buildAndStart());
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + failed.getMessage(), failed);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
