package dev.jdpo.reference.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty gRPC server for a stand-alone reference replica: the reference service, the standard health
 * service (SERVING for "" and the service itself) and server reflection, so grpcurl and grpc_health_probe work.
 */
public final class ReferenceServer implements AutoCloseable {

    // per-token log-probs of long batches exceed gRPC's 4 MiB default
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    private static final long GRACE_SECONDS = 5;

    private final Server server;
    private final HealthStatusManager health;

    private ReferenceServer(Server server, HealthStatusManager health) {
        this.server = server;
        this.health = health;
    }

    /** Listens on {@code port} on all interfaces (0 picks a free port). */
    public static ReferenceServer start(int port, BindableService service) throws IOException {
        return start(new InetSocketAddress(port), service);
    }

    /** Listens on {@code address}. */
    public static ReferenceServer start(InetSocketAddress address, BindableService service) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        Server server = NettyServerBuilder.forAddress(address)
                .addService(service)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
        return new ReferenceServer(server, health);
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    /** Blocks until the server stops. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops taking calls, gives running ones a few seconds, then cancels them. */
    @Override
    public void close() {
        health.enterTerminalState();
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
