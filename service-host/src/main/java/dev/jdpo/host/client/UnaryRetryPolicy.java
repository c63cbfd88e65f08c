package dev.jdpo.host.client;

import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The retry policy of every channel jdpo builds, as a gRPC service config: a unary call that the contract marks
 * {@code idempotency_level} IDEMPOTENT or NO_SIDE_EFFECTS is tried again by gRPC itself while the service is
 * UNAVAILABLE (not up yet, restarting), at most {@value #MAX_ATTEMPTS} times in all with exponential backoff. Other
 * calls are not repeated: a second CreateRun could start a second run.
 */
public final class UnaryRetryPolicy {

    /** gRPC's own cap on attempts, unless a channel raises it. */
    static final int MAX_ATTEMPTS = 5;

    private static final Map<String, Object> RETRY = Map.of(
            "maxAttempts", (double) MAX_ATTEMPTS,
            "initialBackoff", "0.5s",
            "maxBackoff", "5s",
            "backoffMultiplier", 2.0,
            "retryableStatusCodes", List.of("UNAVAILABLE"));

    private UnaryRetryPolicy() {
    }

    /** {@code builder} with retries enabled for the idempotent unary methods of {@code services}. */
    public static <T extends ManagedChannelBuilder<T>> T apply(T builder, ServiceDescriptor... services) {
        return builder.defaultServiceConfig(serviceConfig(services)).enableRetry();
    }

    /** The service config (JSON as maps) that retries the idempotent unary methods of {@code services}. */
    static Map<String, Object> serviceConfig(ServiceDescriptor... services) {
        List<Map<String, Object>> names = new ArrayList<>();
        for (ServiceDescriptor service : services) {
            var proto = ((ProtoServiceDescriptorSupplier) service.getSchemaDescriptor()).getServiceDescriptor();
            for (MethodDescriptor method : proto.getMethods()) {
                if (!method.isClientStreaming() && !method.isServerStreaming() && repeatable(method)) {
                    names.add(Map.of("service", proto.getFullName(), "method", method.getName()));
                }
            }
        }
        return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", RETRY)));
    }

    private static boolean repeatable(MethodDescriptor method) {
        IdempotencyLevel level = method.getOptions().getIdempotencyLevel();
        return level == IdempotencyLevel.IDEMPOTENT || level == IdempotencyLevel.NO_SIDE_EFFECTS;
    }
}
