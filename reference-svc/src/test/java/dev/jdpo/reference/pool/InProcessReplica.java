package dev.jdpo.reference.pool;

import dev.jdpo.reference.LocalReferenceScorer;
import dev.jdpo.reference.TinyReference;
import dev.jdpo.reference.grpc.ReferenceServiceEndpoint;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A reference replica behind an in-process gRPC server: the tiny model, its own in-memory cache. */
final class InProcessReplica implements AutoCloseable {

    final String name = InProcessServerBuilder.generateName();
    final LocalReferenceScorer scorer;
    private final ReferenceServiceEndpoint endpoint;
    private final Server server;

    InProcessReplica(ServerInterceptor... interceptors) throws IOException {
        this.scorer = TinyReference.scorer();
        this.endpoint = new ReferenceServiceEndpoint(scorer, name);
        this.server = start(name, endpoint, interceptors);
    }

    /** Serves {@code service} under a fresh in-process name. */
    static Server start(String name, BindableService service, ServerInterceptor... interceptors) throws IOException {
        return InProcessServerBuilder.forName(name)
                .addService(ServerInterceptors.intercept(service, interceptors)).build().start();
    }

    /** A pool-side view of this replica. */
    ReplicaChannel channel() {
        return new ReplicaChannel(name, InProcessChannelBuilder.forName(name).build());
    }

    /** Stops at once: running calls are cancelled, new ones find nobody. */
    void kill() {
        server.shutdownNow();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
