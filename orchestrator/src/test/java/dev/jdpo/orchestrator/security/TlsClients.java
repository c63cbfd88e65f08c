package dev.jdpo.orchestrator.security;

import dev.jdpo.host.security.BearerToken;
import dev.jdpo.host.security.ClientTls;
import dev.jdpo.testing.DevCerts;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Loopback channels of the security tests, each closed with the test. */
final class TlsClients implements AutoCloseable {

    private final List<ManagedChannel> channels = new ArrayList<>();

    /** TLS trusting {@code trust}'s CA, with {@code identity}'s client certificate when it is not null. */
    ManagedChannel tls(int port, DevCerts trust, DevCerts identity, String token) {
        ChannelCredentials credentials = ClientTls.credentials(new ClientTls(trust.ca(),
                identity == null ? null : identity.clientCert(), identity == null ? null : identity.clientKey()));
        return open(port, token == null ? credentials
                : CompositeChannelCredentials.create(credentials, new BearerToken(token)));
    }

    ManagedChannel plaintext(int port) {
        return open(port, InsecureChannelCredentials.create());
    }

    private ManagedChannel open(int port, ChannelCredentials credentials) {
        ManagedChannel channel = NettyChannelBuilder.forTarget("localhost:" + port, credentials).build();
        channels.add(channel);
        return channel;
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
