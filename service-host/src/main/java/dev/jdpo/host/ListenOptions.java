package dev.jdpo.host;

import dev.jdpo.host.security.ServerTlsOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a stand-alone service listens, {@code --host}, {@code --port} and the TLS flags (a picocli mixin of the
 * {@link ServiceMains} commands, which give {@code --port} its default), and the ready line it prints once it serves.
 */
public final class ListenOptions {

    @Option(names = "--port", description = "gRPC port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = ServiceMains.DEFAULT_HOST,
            description = "Interface to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Mixin
    ServerTlsOptions tls;

    // the service's command: its name is the service's, its output the ready line's
    @Spec(Spec.Target.MIXEE)
    CommandSpec service;

    /** The flags as host settings, with gRPC's default message size. */
    public HostSettings settings() {
        return HostSettings.on(host, port).withTls(tls.settings());
    }

    /** Prints {@code jdpo <service> listening on host:port}, the line a launcher waits for. */
    public void announce(int boundPort) {
        ServiceMains.announce(service.commandLine().getOut(), service.name(), host, boundPort);
    }
}
