package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.testing.ReflectionProbe;
import dev.jdpo.trainer.server.TrainerServer;
import dev.jdpo.trainer.server.TrainerServerMain;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The stand-alone server answers health checks and reflection on a real socket; bad flags are one-line errors. */
class TrainerServerTest {

    @Test
    void servesHealthAndReflectionOverTcp() throws Exception {
        try (TrainerServer server = TrainerServer.start("127.0.0.1", 0, new TrainerServiceEndpoint(5))) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                        .setService(TrainerServiceGrpc.SERVICE_NAME).build()).getStatus());
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
                assertTrue(ReflectionProbe.services(channel).contains(TrainerServiceGrpc.SERVICE_NAME));
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
        assertEquals("jdpo serve trainer: port: must be in [0, 65535], got 70000", shown);
        assertFalse(shown.contains("\tat "), "no stack trace");
    }
}
