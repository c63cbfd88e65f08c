package dev.jdpo.orchestrator.cli;

import dev.jdpo.host.client.UnaryRetryPolicy;
import dev.jdpo.host.security.BearerToken;
import dev.jdpo.host.security.ClientTls;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.RunServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** The {@code --address}, TLS and token options of the commands that talk to a running orchestrator, and their channel. */
final class ServerAddress {

    @Option(names = "--address", defaultValue = "${JDPO_ADDRESS:-localhost:50051}",
            description = "Orchestrator host:port (env JDPO_ADDRESS; default ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--tls-ca", paramLabel = "PEM", defaultValue = "${JDPO_TLS_CA}",
            description = "Connect with TLS, trusting this CA (env JDPO_TLS_CA); plaintext without it.")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "A client certificate, for a server that wants one.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The client certificate's PKCS#8 private key.")
    Path tlsKey;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Send the API token in this file (default: env JDPO_TOKEN).")
    Path tokenFile;

    /**
     * A channel as the options say, retrying idempotent calls while the server is unavailable; close it with
     * {@link #close(ManagedChannel)}.
     */
    ManagedChannel open() {
        if (tlsCa == null && (tlsCert != null || tlsKey != null)) {
            throw new IllegalArgumentException("--tls-cert/--tls-key: need --tls-ca");
        }
        ChannelCredentials credentials = ClientTls.credentials(tlsCa == null ? null
                : new ClientTls(tlsCa, tlsCert, tlsKey));
        String token = token();
        if (token != null) {
            credentials = CompositeChannelCredentials.create(credentials, new BearerToken(token));
        }
        return UnaryRetryPolicy.apply(NettyChannelBuilder.forTarget(address, credentials),
                RunServiceGrpc.getServiceDescriptor(), ContinualServiceGrpc.getServiceDescriptor(),
                FeedbackServiceGrpc.getServiceDescriptor()).build();
    }

    private String token() {
        if (tokenFile == null) {
            String env = System.getenv("JDPO_TOKEN");
            return env == null || env.isBlank() ? null : env;
        }
        try {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException unreadable) {
            throw new UncheckedIOException("--token-file: cannot read " + tokenFile, unreadable);
        }
    }

    static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
