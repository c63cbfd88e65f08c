package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.HostSettings;
import dev.jdpo.host.security.PathRoots;
import dev.jdpo.host.security.ServerTls;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.testing.DevCerts;
import dev.jdpo.trainer.grpc.JobPaths;
import dev.jdpo.trainer.grpc.SequenceLimit;
import dev.jdpo.trainer.server.TrainerServer;
import dev.jdpo.trainer.grpc.TrainerServiceEndpoint;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer with its own roots, over mutual TLS: a client that talks to it directly (skipping the orchestrator's
 * checks) cannot make it read a model or write checkpoints outside them.
 */
class TrainerPathsTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @TempDir
    Path tmp;

    @Test
    void outputDirOutsideTheWriteRootsIsPermissionDenied() throws Exception {
        Status status = submit(REPO.resolve("examples/tiny-llama"), tmp.resolve("elsewhere/out"));
        assertEquals(Status.Code.PERMISSION_DENIED, status.getCode(), status.toString());
        assertTrue(status.getDescription().startsWith("output.output_dir"), status.getDescription());
        assertTrue(Files.notExists(tmp.resolve("elsewhere")), "nothing was written");
    }

    @Test
    void modelOutsideTheReadRootsIsPermissionDenied() throws Exception {
        Path copy = Files.createDirectories(tmp.resolve("model"));
        Files.copy(REPO.resolve("examples/tiny-llama/config.json"), copy.resolve("config.json"));
        Status status = submit(copy, tmp.resolve("allowed/out"));
        assertEquals(Status.Code.PERMISSION_DENIED, status.getCode(), status.toString());
        assertTrue(status.getDescription().startsWith("policy_path"), status.getDescription());
    }

    /** Sends a job whose paths are {@code policy} and {@code outputDir}; the status the call ends with. */
    private Status submit(Path policy, Path outputDir) throws Exception {
        DevCerts certs = DevCerts.create(tmp.resolve("certs"));
        JobPaths paths = new JobPaths(new PathRoots(List.of(REPO.resolve("examples"))),
                new PathRoots(List.of(tmp.resolve("allowed"))));
        try (TrainerServer trainer = TrainerServer.start(HostSettings.on("127.0.0.1", 0).withTls(new ServerTls(
                certs.serverCert(), certs.serverKey(), certs.ca())), new TrainerServiceEndpoint(5, paths, SequenceLimit.NONE));
             TlsClients clients = new TlsClients()) {
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            StreamObserver<TrainInput> call = TrainerServiceGrpc.newStub(clients.tls(trainer.port(), certs, certs,
                    null)).train(new StreamObserver<>() {
                        @Override
                        public void onNext(TrainProgress progress) {
                        }

                        @Override
                        public void onError(Throwable error) {
                            ended.complete(error);
                        }

                        @Override
                        public void onCompleted() {
                            ended.completeExceptionally(new AssertionError("the call ended without an error"));
                        }
                    });
            call.onNext(TrainInput.newBuilder().setJob(TrainJob.newBuilder().setRunId("direct")
                    .setPolicyPath(policy.toString()).setDevice("cpu").setTraining(TrainingConfig.getDefaultInstance())
                    .setOutput(OutputConfig.newBuilder().setOutputDir(outputDir.toString()))).build());
            Throwable error = ended.get(60, TimeUnit.SECONDS);
            call.onCompleted();
            return assertInstanceOf(StatusRuntimeException.class, error).getStatus();
        }
    }
}
