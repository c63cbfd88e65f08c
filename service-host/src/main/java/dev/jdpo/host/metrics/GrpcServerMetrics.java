package dev.jdpo.host.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Locale;

/**
 * Counts the gRPC calls a server takes, by service, method and status code, and times them, under the names of
 * go-grpc-prometheus (which Grafana's gRPC dashboards read): {@code grpc_server_started_total},
 * {@code grpc_server_handled_total} and the {@code grpc_server_handling_seconds} histogram.
 */
public final class GrpcServerMetrics implements ServerInterceptor {

    private static final String[] CALL_LABELS = {"grpc_type", "grpc_service", "grpc_method"};
    private static final GrpcServerMetrics INSTANCE = new GrpcServerMetrics();

    private final Counter started = Counter.builder().name("grpc_server_started_total")
            .help("gRPC calls started on the server").labelNames(CALL_LABELS).register(ProcessMetrics.registry());
    private final Counter handled = Counter.builder().name("grpc_server_handled_total")
            .help("gRPC calls completed on the server, by status code")
            .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").register(ProcessMetrics.registry());
    // streams such as Train and WatchRun last minutes, so the buckets reach an hour
    private final Histogram latency = Histogram.builder().name("grpc_server_handling_seconds")
            .help("Time from the start of a gRPC call to its completion on the server").labelNames(CALL_LABELS)
            .classicOnly().classicUpperBounds(.001, .005, .01, .05, .1, .5, 1, 5, 10, 60, 300, 3600)
            .register(ProcessMetrics.registry());

    private GrpcServerMetrics() {
    }

    /** The process's interceptor: the metrics are process-wide, so every server shares it. */
    public static GrpcServerMetrics instance() {
        return INSTANCE;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        String type = method.getType().name().toLowerCase(Locale.ROOT);
        String service = method.getServiceName();
        String name = method.getBareMethodName();
        long startNanos = System.nanoTime();
        started.labelValues(type, service, name).inc();
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                handled.labelValues(type, service, name, status.getCode().name()).inc();
                latency.labelValues(type, service, name).observe((System.nanoTime() - startNanos) / 1e9);
                super.close(status, trailers);
            }
        }, headers);
    }
}
