package dev.jdpo.host.security;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * A server's TLS: its certificate chain and PKCS#8 private key (PEM), and, for mutual TLS, the CA whose certificates
 * clients must present (connections without one are refused during the handshake).
 *
 * @param certChain the server's certificate chain (PEM)
 * @param privateKey its private key (PKCS#8 PEM)
 * @param clientCa  the CA clients' certificates must chain to; {@code null} for server-only TLS
 */
public record ServerTls(Path certChain, Path privateKey, Path clientCa) {

    public ServerTls {
        PemFiles.requireReadable("--tls-cert", certChain);
        PemFiles.requireReadable("--tls-key", privateKey);
        if (clientCa != null) {
            PemFiles.requireReadable("--tls-client-ca", clientCa);
        }
    }

    /** Netty's server context, for {@code NettyServerBuilder.sslContext}. */
    public SslContext sslContext() {
        SslContextBuilder builder = GrpcSslContexts.configure(
                SslContextBuilder.forServer(certChain.toFile(), privateKey.toFile()));
        if (clientCa != null) {
            builder.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException unusable) {
            throw new IllegalArgumentException("--tls-cert/--tls-key: cannot use " + certChain + " and " + privateKey
                    + ": " + unusable.getMessage(), unusable);
        }
    }
}
