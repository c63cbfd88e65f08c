package dev.jdpo.reference.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.HostSettings;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.reference.TinyReference;
import dev.jdpo.reference.grpc.ReferenceServiceEndpoint;
import dev.jdpo.testing.ReflectionProbe;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stand-alone replica's host (ReferenceServerMain's settings) answers the standard health check and server
 * reflection on a real socket, and takes batches above gRPC's 4 MiB default.
 */
class ReferenceServerTest {

    @Test
    void servesHealthAndReflectionOverTcp() throws Exception {
        ReferenceServiceEndpoint endpoint = new ReferenceServiceEndpoint(TinyReference.scorer(), "replica-under-test");
        try (ServiceHost server = ServiceHost.start(ReferenceServerMain.pairMessages(HostSettings.on("127.0.0.1", 0)), endpoint)) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                        .setService(ReferenceServiceGrpc.SERVICE_NAME).build()).getStatus());
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
                List<String> services = ReflectionProbe.services(channel);
                assertTrue(services.contains(ReferenceServiceGrpc.SERVICE_NAME), services.toString());
                assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBatchAboveFourMibReachesTheScorer() throws Exception {
        // a prompt of 3M two-byte ids (6 MB) and no chosen ids: the scorer's own check answers, not the transport
        List<Integer> prompt = Collections.nCopies(3_000_000, 1000);
        ScoreRequest request = ScoreRequest.newBuilder().addPairs(TokenizedPair.newBuilder().setIndex(7)
                .addAllPromptIds(prompt).addRejectedIds(5)).build();
        assertTrue(request.getSerializedSize() > 4 << 20, "request of " + request.getSerializedSize() + " bytes");
        ReferenceServiceEndpoint endpoint = new ReferenceServiceEndpoint(TinyReference.scorer(), "replica-under-test");
        try (ServiceHost server = ServiceHost.start(ReferenceServerMain.pairMessages(HostSettings.on("127.0.0.1", 0)), endpoint)) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                        () -> ReferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                                .score(request));
                assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.toString());
                assertTrue(refused.getStatus().getDescription().contains("chosen_ids is empty"), refused.toString());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
