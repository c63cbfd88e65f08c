package dev.jdpo.orchestrator.server;

import dev.jdpo.host.security.ClientTls;
import dev.jdpo.host.security.ServerTls;
import dev.jdpo.orchestrator.config.ServiceAllowList;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.util.List;

/**
 * The orchestrator's security settings under {@code jdpo.security.*} (the {@code serve orchestrator} flags).
 *
 * @param tlsCert         the public API's TLS certificate chain (PEM); unset: plaintext
 * @param tlsKey          its PKCS#8 private key
 * @param tlsClientCa     mutual TLS on the public API too: clients need a certificate from this CA
 * @param tokensFile      hashed API tokens ({@link dev.jdpo.host.security.TokenStore}); unset: no authentication
 * @param serviceCa       the CA the internal services' certificates chain to; set: the services are reached over TLS
 * @param serviceCert     the orchestrator's client certificate for mutual TLS with the services
 * @param serviceKey      its private key
 * @param allowedServices the service addresses runs may name; empty: loopback addresses only
 */
@ConfigurationProperties("jdpo.security")
public record SecuritySettings(
        @Nullable Path tlsCert,
        @Nullable Path tlsKey,
        @Nullable Path tlsClientCa,
        @Nullable Path tokensFile,
        @Nullable Path serviceCa,
        @Nullable Path serviceCert,
        @Nullable Path serviceKey,
        @Nullable List<String> allowedServices) {

    /** The public API's TLS, or {@code null} for plaintext. */
    public ServerTls serverTls() {
        return tlsCert == null && tlsKey == null ? null : new ServerTls(tlsCert, tlsKey, tlsClientCa);
    }

    /** TLS toward the internal services, or {@code null} for plaintext. */
    public ClientTls serviceTls() {
        return serviceCa == null ? null : new ClientTls(serviceCa, serviceCert, serviceKey);
    }

    public ServiceAllowList services() {
        return new ServiceAllowList(allowedServices == null ? List.of() : allowedServices);
    }
}
