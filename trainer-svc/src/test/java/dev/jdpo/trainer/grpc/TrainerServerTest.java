package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.security.PathRoots;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.testing.ReflectionProbe;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.server.TrainerServer;
import dev.jdpo.trainer.server.TrainerServerMain;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The stand-alone server answers health checks and reflection on a real socket and refuses pairs past its sequence
 * limit there; bad flags are one-line errors.
 */
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
    void aPairLongerThanTheSequenceLimitIsInvalidArgumentNamingThePairAndField(@TempDir Path tmp) throws Exception {
        TrainingPair reference = Fixtures.withReference(Fixtures.syntheticPairs(1, 7), false).get(0);
        // 5 + 3 = 8 tokens fit a limit of 8; 5 + 4 = 9 do not
        TrainingPair fits = new TrainingPair(new PairTokens(new int[] {5, 6, 7, 8, 9}, new int[] {10, 11, 12},
                new int[] {13, 14, 15}), reference.reference());
        TrainingPair tooLong = new TrainingPair(new PairTokens(fits.tokens().promptIds(), fits.tokens().chosenIds(),
                new int[] {13, 14, 15, 16}), reference.reference());
        TrainerServiceEndpoint endpoint = new TrainerServiceEndpoint(5, new JobPaths(PathRoots.anywhere(),
                PathRoots.anywhere()), new SequenceLimit(8));
        try (TrainerServer server = TrainerServer.start("127.0.0.1", 0, endpoint)) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(1).build();
                StatusRuntimeException error = TrainClientCall.open(channel).submit(TrainJobs.job("long", tmp, config)
                        .build(), List.of(fits, tooLong), List.of()).awaitFailure();
                assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.getStatus().toString());
                assertEquals("invalid_pair", TrainClientCall.trailer(error, TrainFailure.FAILURE_KEY));
                assertEquals("pair", TrainClientCall.trailer(error, TrainFailure.FIELD_KEY));
                assertEquals("data: prompt_ids + rejected_ids are 9 tokens; this trainer trains at most 8 per sequence "
                        + "(--max-sequence-length) (pair message 1, index 1)", error.getStatus().getDescription());
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
