package dev.jdpo.trainer.server;

import dev.jdpo.host.HostSettings;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.trainer.grpc.TrainerServiceEndpoint;

/**
 * The stand-alone trainer's server: TrainerService on a {@link ServiceHost} (standard health and server
 * reflection), closed in the order a running job needs: NOT_SERVING first, then the job stops at its next
 * step boundary and its checkpoint still reaches the caller, then the server stops.
 */
public final class TrainerServer implements AutoCloseable {

    private final ServiceHost host;
    private final TrainerServiceEndpoint endpoint;

    private TrainerServer(ServiceHost host, TrainerServiceEndpoint endpoint) {
        this.host = host;
        this.endpoint = endpoint;
    }

    /** Listens on {@code host}:{@code port} (0 picks a free port), plaintext. */
    public static TrainerServer start(String host, int port, TrainerServiceEndpoint endpoint) {
        return start(HostSettings.on(host, port), endpoint);
    }

    /** Listens as {@code settings} say, taking {@link HostSettings#PAIR_MESSAGE_BYTES} per message. */
    public static TrainerServer start(HostSettings settings, TrainerServiceEndpoint endpoint) {
        return new TrainerServer(ServiceHost.start(settings.withMaxInboundMessageBytes(HostSettings.PAIR_MESSAGE_BYTES),
                endpoint), endpoint);
    }

    /** The port it listens on. */
    public int port() {
        return host.port();
    }

    /** Blocks until the server stops. */
    public void awaitTermination() throws InterruptedException {
        host.awaitTermination();
    }

    /**
     * Reports NOT_SERVING, cancels a running job at its next step boundary (it writes a checkpoint) and waits for
     * it, then stops the server.
     */
    @Override
    public void close() {
        host.stopServing();
        endpoint.close();
        host.close();
    }
}
