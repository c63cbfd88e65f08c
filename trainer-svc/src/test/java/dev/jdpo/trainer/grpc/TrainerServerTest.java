package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The stand-alone server answers health checks and reflection on a real socket; bad flags are one-line errors. */
class TrainerServerTest {

    @Test
    void servesHealthAndReflectionOverTcp() throws Exception {
        try (TrainerServer server = TrainerServer.start(0, new TrainerServiceEndpoint(5))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                        .setService(TrainerServiceGrpc.SERVICE_NAME).build()).getStatus());
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
                assertTrue(listServices(channel).contains(TrainerServiceGrpc.SERVICE_NAME));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void badPortIsAOneLineError() {
        CommandLine cli = TrainerServerMain.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new ByteArrayOutputStream()));
        assertEquals(1, cli.execute("--port", "70000"));
        String shown = err.toString().trim();
        assertEquals("trainer-server: --port: must be in [0, 65535], got 70000", shown);
        assertFalse(shown.contains("\tat "), "no stack trace");
    }

    private static String listServices(ManagedChannel channel) throws Exception {
        CompletableFuture<String> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        names.complete(response.getListServicesResponse().toString());
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        names.complete("");
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return names.get(10, TimeUnit.SECONDS);
    }
}
