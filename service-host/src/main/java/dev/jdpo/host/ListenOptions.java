package dev.jdpo.host;

import dev.jdpo.host.security.ServerTls;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a jdpo service listens, {@code --host} and the TLS flags (a picocli mixin of the {@code jdpo serve}
 * commands, each with its own default {@code --port}), and the ready line it prints once it serves.
 */
public final class ListenOptions {

    @Option(names = "--host", defaultValue = ServiceMains.DEFAULT_HOST,
            description = "Interface to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve TLS with this certificate chain (with --tls-key).")
    Path certChain;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's PKCS#8 private key.")
    Path privateKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM",
            description = "Mutual TLS: refuse clients without a certificate from this CA.")
    Path clientCa;

    // the service's command: its name is the service's, its output the ready line's
    @Spec(Spec.Target.MIXEE)
    CommandSpec service;

    public String host() {
        return host;
    }

    /** The TLS settings, or {@code null} for plaintext. */
    public ServerTls tls() {
        if (certChain == null && privateKey == null) {
            if (clientCa != null) {
                throw new IllegalArgumentException("--tls-client-ca: needs --tls-cert and --tls-key");
            }
            return null;
        }
        return new ServerTls(certChain, privateKey, clientCa);
    }

    /** Host settings on {@code port}, with gRPC's default message size. */
    public HostSettings settings(int port) {
        return HostSettings.on(host, port).withTls(tls());
    }

    /** Prints {@code jdpo <service> listening on host:port}, the line a launcher waits for. */
    public void announce(int boundPort) {
        PrintWriter out = service.commandLine().getOut();
        out.println(ServiceMains.readyLine(service.name()) + host + ":" + boundPort);
        out.flush();
    }
}
