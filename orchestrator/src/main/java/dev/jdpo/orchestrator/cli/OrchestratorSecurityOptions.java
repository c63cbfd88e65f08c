package dev.jdpo.orchestrator.cli;

import dev.jdpo.host.security.ServerTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The security flags of {@code jdpo serve orchestrator}, turned into {@code jdpo.security.*} properties. */
final class OrchestratorSecurityOptions {

    @Option(names = "--tokens", paramLabel = "FILE", description = "Require API tokens: lines \"<sha256-hex> "
            + "<read|write> [name]\" (bin/jdpo-dev-certs writes one).")
    Path tokens;

    @Option(names = "--service-ca", paramLabel = "PEM",
            description = "Reach the services over TLS, trusting this CA.")
    Path serviceCa;

    @Option(names = "--service-cert", paramLabel = "PEM", description = "Client certificate for mutual TLS with the services.")
    Path serviceCert;

    @Option(names = "--service-key", paramLabel = "PEM", description = "Its PKCS#8 private key.")
    Path serviceKey;

    @Option(names = "--allowed-service", paramLabel = "HOST:PORT", description = "A service address runs may name "
            + "(repeatable; default: loopback addresses only).")
    List<String> allowedServices = new ArrayList<>();

    /** These flags, and {@code serverTls} ({@code null}: plaintext), as properties. */
    void addTo(Map<String, Object> properties, ServerTls serverTls) {
        if (serverTls != null) {
            properties.put("jdpo.security.tls-cert", absolute(serverTls.certChain()));
            properties.put("jdpo.security.tls-key", absolute(serverTls.privateKey()));
            if (serverTls.clientCa() != null) {
                properties.put("jdpo.security.tls-client-ca", absolute(serverTls.clientCa()));
            }
        }
        putPath(properties, "jdpo.security.tokens-file", tokens);
        putPath(properties, "jdpo.security.service-ca", serviceCa);
        putPath(properties, "jdpo.security.service-cert", serviceCert);
        putPath(properties, "jdpo.security.service-key", serviceKey);
        if (!allowedServices.isEmpty()) {
            properties.put("jdpo.security.allowed-services", allowedServices);
        }
    }

    private static void putPath(Map<String, Object> properties, String key, Path path) {
        if (path != null) {
            properties.put(key, absolute(path));
        }
    }

    private static String absolute(Path path) {
        return path.toAbsolutePath().toString();
    }
}
