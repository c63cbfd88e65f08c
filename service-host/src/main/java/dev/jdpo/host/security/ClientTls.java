package dev.jdpo.host.security;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A client's TLS: the CA it trusts for the server's certificate and, for mutual TLS, its own certificate and key.
 *
 * @param trustCa    the CA the server's certificate must chain to (PEM)
 * @param certChain  the client's certificate chain for mutual TLS; {@code null} for none
 * @param privateKey its PKCS#8 private key; {@code null} exactly when {@code certChain} is
 */
public record ClientTls(Path trustCa, Path certChain, Path privateKey) {

    public ClientTls {
        PemFiles.requireReadable("--tls-ca", trustCa);
        if ((certChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key: give both or neither");
        }
        if (certChain != null) {
            PemFiles.requireReadable("--tls-cert", certChain);
            PemFiles.requireReadable("--tls-key", privateKey);
        }
    }

    /** The credentials of a channel: TLS with {@code tls}, plaintext when it is {@code null}. */
    public static ChannelCredentials credentials(ClientTls tls) {
        return tls == null ? InsecureChannelCredentials.create() : tls.credentials();
    }

    private ChannelCredentials credentials() {
        try {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder().trustManager(trustCa.toFile());
            if (certChain != null) {
                builder.keyManager(certChain.toFile(), privateKey.toFile());
            }
            return builder.build();
        } catch (IOException unreadable) {
            throw new UncheckedIOException("--tls-ca/--tls-cert/--tls-key: " + unreadable.getMessage(), unreadable);
        }
    }
}
