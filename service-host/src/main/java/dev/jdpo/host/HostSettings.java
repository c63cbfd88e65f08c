package dev.jdpo.host;

import dev.jdpo.host.security.ServerTls;
import java.time.Duration;

/**
 * Where and how a {@link ServiceHost} listens.
 *
 * @param host                   the interface to listen on ({@code 0.0.0.0}: every interface)
 * @param port                   the port; 0 picks a free one
 * @param maxInboundMessageBytes the largest request message accepted (gRPC's default is 4 MiB)
 * @param grace                  how long {@link ServiceHost#close()} lets calls in flight finish before cancelling them
 * @param tls                    TLS (mutual with a client CA); {@code null} for plaintext
 */
public record HostSettings(String host, int port, int maxInboundMessageBytes, Duration grace, ServerTls tls) {

    /** gRPC's own default. */
    public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 4 << 20;
    /**
     * The message bound both ends of the pair-carrying internal services use (reference scoring, training): a batch
     * of long sequences with per-token log-probs exceeds gRPC's default, and a bound still stops a hostile message.
     */
    public static final int PAIR_MESSAGE_BYTES = 64 << 20;
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    public HostSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be in [0, 65535], got " + port);
        }
        if (maxInboundMessageBytes <= 0) {
            throw new IllegalArgumentException("maxInboundMessageBytes: must be positive, got " + maxInboundMessageBytes);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace: must be zero or positive, got " + grace);
        }
    }

    /** One interface, gRPC's default message size and the default grace. */
    public static HostSettings on(String host, int port) {
        return new HostSettings(host, port, DEFAULT_MAX_INBOUND_MESSAGE_BYTES, DEFAULT_GRACE, null);
    }

    public HostSettings withMaxInboundMessageBytes(int bytes) {
        return new HostSettings(host, port, bytes, grace, tls);
    }

    public HostSettings withGrace(Duration newGrace) {
        return new HostSettings(host, port, maxInboundMessageBytes, newGrace, tls);
    }

    /** These settings serving TLS ({@code null}: plaintext). */
    public HostSettings withTls(ServerTls newTls) {
        return new HostSettings(host, port, maxInboundMessageBytes, grace, newTls);
    }

    /** {@code host:port} as configured, for messages. */
    public String address() {
        return host + ":" + port;
    }
}
