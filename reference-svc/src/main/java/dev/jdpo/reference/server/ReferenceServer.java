package dev.jdpo.reference.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A plain Netty gRPC server around one service, for a stand-alone reference replica (no container needed). */
public final class ReferenceServer implements AutoCloseable {

    // per-token log-probs of long batches exceed gRPC's 4 MiB default
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    private static final long GRACE_SECONDS = 5;

    private final Server server;

    private ReferenceServer(Server server) {
        this.server = server;
    }

    /** Listens on {@code port} on all interfaces (0 picks a free port). */
    public static ReferenceServer start(int port, BindableService service) throws IOException {
        return start(new InetSocketAddress(port), service);
    }

    /** Listens on {@code address}. */
    public static ReferenceServer start(InetSocketAddress address, BindableService service) throws IOException {
        Server server = NettyServerBuilder.forAddress(address)
                .addService(service)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build()
                .start();
        return new ReferenceServer(server);
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
