package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.EchoLimit;
import dev.jdpo.host.HostSettings;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.host.security.PathRoots;
import dev.jdpo.host.security.ServerTls;
import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.proto.internal.v1.TokenizeDatasetRequest;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import dev.jdpo.proto.internal.v1.ValidationReport;
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
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An internal service (the tokenizer) with mutual TLS and its own read roots, on a real socket: it answers a client
 * with a certificate from its client CA, and refuses one without a certificate, one whose certificate another CA
 * signed, and a plaintext one; whoever calls it, it reads nothing outside its roots.
 */
class InternalServiceSecurityTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final String MODEL = REPO.resolve("examples/tiny-llama").toString();
    private static final String DATA = REPO.resolve("examples/data/quickstart.jsonl").toString();

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
                new TokenizerGrpcService(new TokenizerRegistry(), work,
                        new PathRoots(List.of(REPO.resolve("examples")))));
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

    @Test
    void fileInsideTheReadRootsIsRead() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            ValidationReport report = tokenize(clients, MODEL, DATA);
            assertTrue(report.getRowsRead() > 0, report.toString());
        }
    }

    @Test
    void fileOutsideTheReadRootsIsPermissionDenied() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> tokenize(clients, MODEL, "/etc/passwd"));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("dataset_path"), e.getStatus().getDescription());
        }
    }

    @Test
    void modelOutsideTheReadRootsIsPermissionDenied() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> tokenize(clients, tmp.toString(), DATA));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("model_dir"), e.getStatus().getDescription());
        }
    }

    @Test
    void hugePathGetsAStatusNotATransportError() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> tokenize(clients,
                    MODEL, REPO.resolve("examples").resolve("x".repeat(64 * 1024)).toString()));
            // before, the status echoed the whole path into the trailers and the client got an HTTP/2 PROTOCOL_ERROR
            assertTrue(Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND).contains(e.getStatus().getCode()),
                    EchoLimit.value(e.getStatus().toString()));
            assertTrue(e.getStatus().getDescription().length() < 4096, "the echoed path is cut short");
        }
    }

    @Test
    void nulByteInAPathIsInvalidArgument() throws Exception {
        try (TlsClients clients = new TlsClients()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> tokenize(clients, MODEL, DATA + "\0"));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("dataset_path"), e.getStatus().getDescription());
        }
    }

    private static TokenizerServiceGrpc.TokenizerServiceBlockingStub tokenizer(TlsClients clients) {
        return TokenizerServiceGrpc.newBlockingStub(clients.tls(tokenizer.port(), certs, certs, null))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** Reads the whole TokenizeDataset stream; its report (the last message). */
    private static ValidationReport tokenize(TlsClients clients, String modelDir, String datasetPath) {
        Iterator<TokenizeResponse> responses = tokenizer(clients).tokenizeDataset(TokenizeDatasetRequest.newBuilder()
                .setModelDir(modelDir).setDatasetPath(datasetPath).build());
        ValidationReport report = null;
        while (responses.hasNext()) {
            TokenizeResponse response = responses.next();
            if (response.hasReport()) {
                report = response.getReport();
            }
        }
        return report;
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
