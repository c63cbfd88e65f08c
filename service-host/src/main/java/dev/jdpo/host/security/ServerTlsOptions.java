package dev.jdpo.host.security;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The TLS flags of every {@code jdpo serve} command (a picocli mixin). */
public final class ServerTlsOptions {

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve TLS with this certificate chain (with --tls-key).")
    Path certChain;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's PKCS#8 private key.")
    Path privateKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM",
            description = "Mutual TLS: refuse clients without a certificate from this CA.")
    Path clientCa;

    /** The settings, or {@code null} for plaintext. */
    public ServerTls settings() {
        if (certChain == null && privateKey == null) {
            if (clientCa != null) {
                throw new IllegalArgumentException("--tls-client-ca: needs --tls-cert and --tls-key");
            }
            return null;
        }
        return new ServerTls(certChain, privateKey, clientCa);
    }
}
