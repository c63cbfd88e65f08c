package dev.jdpo.orchestrator.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code --metrics-port}, for the commands that run services or training; {@link ProcessSetup} acts on it. */
final class MetricsPortOption {

    // inherited, so every "jdpo serve SERVICE" takes it, the service modules' own commands included
    @Option(names = ProcessSetup.METRICS_PORT, paramLabel = "PORT", scope = ScopeType.INHERIT,
            description = "serve Prometheus metrics at http://HOST:PORT/metrics on every interface (default: off)")
    Integer port;
}
