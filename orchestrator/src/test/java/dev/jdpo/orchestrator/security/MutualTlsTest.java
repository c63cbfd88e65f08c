package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.host.HostSettings;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.host.security.ServerTls;
import dev.jdpo.testing.DevCerts;
import dev.jdpo.tokenizer.grpc.TokenizerGrpcService;
import dev.jdpo.tokenizer.grpc.TokenizerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An internal service with mutual TLS, on a real socket: it answers a client with a certificate from its client CA,
 * and refuses one without a certificate, one whose certificate another CA signed, and a plaintext one.
 */
class MutualTlsTest {

    @TempDir
    static Path tmp;

    private static DevCerts certs;
    private static DevCerts otherCa;
    private static ServiceHost tokenizer;
    private static ExecutorService work;

    @BeforeAll
    static void startService() throws Exception {
        certs = DevCerts.create(tmp.resolve("certs"));
        otherCa = DevCerts.create(tmp.resolve("other-ca"));
        work = Executors.newCachedThreadPool();
        tokenizer = ServiceHost.start(HostSettings.on("127.0.0.1", 0)
                        .withTls(new ServerTls(certs.serverCert(), certs.serverKey(), certs.ca())),
                new TokenizerGrpcService(new TokenizerRegistry(), work));
    }

    @AfterAll
    static void stopService() throws InterruptedException {
        tokenizer.close();
        work.shutdownNow();
        work.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void clientWithACertificateFromTheClientCaIsServed() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            assertEquals(ServingStatus.SERVING, health(clients.tls(tokenizer.port(), certs, certs, null)));
        }
    }

    @Test
    void clientWithoutACertificateIsRefused() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            assertRefused(clients.tls(tokenizer.port(), certs, null, null));
        }
    }

    @Test
    void clientWithACertificateFromAnotherCaIsRefused() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            // it trusts the server, but its own certificate chains to a CA the service does not know
            assertRefused(clients.tls(tokenizer.port(), certs, otherCa, null));
        }
    }

    @Test
    void plaintextClientIsRefused() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            assertRefused(clients.plaintext(tokenizer.port()));
        }
    }

    @Test
    void clientThatDoesNotTrustTheServersCaIsRefused() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            assertRefused(clients.tls(tokenizer.port(), otherCa, certs, null));
        }
    }

    private static ServingStatus health(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static void assertRefused(ManagedChannel channel) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> health(channel));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.getStatus().toString());
    }
}
