package dev.jdpo.reference.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.reference.TinyReference;
import dev.jdpo.reference.grpc.ReferenceServiceEndpoint;
import dev.jdpo.reference.grpc.StreamSettings;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stand-alone replica answers the standard health check and server reflection on a real socket. */
class ReferenceServerTest {

    @Test
    void servesHealthAndReflectionOverTcp() throws Exception {
        try (ReferenceServiceEndpoint endpoint = new ReferenceServiceEndpoint(TinyReference.scorer(),
                     StreamSettings.defaults(), "replica-under-test");
             ReferenceServer server = ReferenceServer.start(0, endpoint)) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                        .setService(ReferenceServiceGrpc.SERVICE_NAME).build()).getStatus());
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
                String services = listServices(channel);
                assertTrue(services.contains(ReferenceServiceGrpc.SERVICE_NAME), services);
                assertTrue(services.contains("grpc.health.v1.Health"), services);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
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
