package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty gRPC server for a stand-alone trainer: TrainerService, the standard health service (SERVING for
 * "" and jdpo.internal.v1.TrainerService) and server reflection, so grpcurl and grpc_health_probe work.
 */
public final class TrainerServer implements AutoCloseable {

    // a TrainPair of a long sequence with per-token log-probs stays far below this; it bounds a hostile message
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    private static final long GRACE_SECONDS = 5;

    private final Server server;
    private final HealthStatusManager health;
    private final TrainerServiceEndpoint endpoint;

    private TrainerServer(Server server, HealthStatusManager health, TrainerServiceEndpoint endpoint) {
        this.server = server;
        this.health = health;
        this.endpoint = endpoint;
    }

    /** Listens on {@code port} on all interfaces (0 picks a free port). */
    public static TrainerServer start(int port, TrainerServiceEndpoint endpoint) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(port))
                .addService(endpoint)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(TrainerServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        return new TrainerServer(server, health, endpoint);
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    /** Blocks until the server stops. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Reports NOT_SERVING, cancels a running job at its next step boundary (it writes a checkpoint) and waits for
     * it, then stops the server.
     */
    @Override
    public void close() {
        health.enterTerminalState();
        endpoint.close();
        server.shutdown();
        try {
            if (!server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
