package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CancelContinualJobRequest;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.CreateContinualJobRequest;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListContinualJobsRequest;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.proto.v1.UserChoice;
import dev.jdpo.testing.DevCerts;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API as an attacker meets it, over TLS on a real socket: tokens (missing, wrong, read-only) and inputs
 * that once broke the transport or surfaced as INTERNAL (64 KiB fields, a NUL byte), and service addresses that are
 * not the orchestrator's own.
 */
class PublicApiSecurityTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final String HUGE = "x".repeat(64 * 1024);

    @TempDir
    static Path tmp;

    private static DevCerts certs;
    private static OrchestratorServer server;
    private final TlsClients clients = new TlsClients();

    @BeforeAll
    static void startOrchestrator() throws Exception {
        certs = DevCerts.create(tmp.resolve("certs"));
        server = OrchestratorServer.start(Map.of(
                "jdpo.state-dir", tmp.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(tmp.toString(), REPO.resolve("examples").toString()),
                "jdpo.security.tls-cert", certs.serverCert().toString(),
                "jdpo.security.tls-key", certs.serverKey().toString(),
                "jdpo.security.tokens-file", certs.tokens().toString(),
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", TestWorkspace.freePort()), List.of(), true);
    }

    @AfterAll
    static void stopOrchestrator() {
        server.close();
    }

    @AfterEach
    void closeClients() throws InterruptedException {
        clients.close();
    }

    @Test
    void callWithoutATokenIsUnauthenticated() {
        assertStatus(Status.Code.UNAUTHENTICATED, () -> runs(null).listRuns(ListRunsRequest.getDefaultInstance()));
    }

    @Test
    void callWithAnUnknownTokenIsUnauthenticated() {
        assertStatus(Status.Code.UNAUTHENTICATED, () -> runs("not-a-token-of-this-server")
                .listRuns(ListRunsRequest.getDefaultInstance()));
    }

    @Test
    void readOnlyTokenReadsButCannotCreateOrCancel() throws Exception {
        RunServiceGrpc.RunServiceBlockingStub reader = runs(certs.readToken());
        reader.listRuns(ListRunsRequest.getDefaultInstance());
        assertStatus(Status.Code.PERMISSION_DENIED, () -> reader.createRun(CreateRunRequest.newBuilder()
                .setConfig(runConfig(tmp.resolve("out-read"))).build()));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> reader.cancelRun(CancelRunRequest.newBuilder()
                .setRunId("run-x").build()));
    }

    @Test
    void readOnlyTokenExportsFeedbackButCannotWriteIt() throws Exception {
        FeedbackServiceGrpc.FeedbackServiceBlockingStub reader = feedback(certs.readToken());
        reader.exportPairs(ExportPairsRequest.getDefaultInstance()).forEachRemaining(item -> { });
        assertStatus(Status.Code.PERMISSION_DENIED, () -> reader.logCompletion(LogCompletionRequest.newBuilder()
                .addCompletions("x").build()));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> reader.recordFeedback(RecordFeedbackRequest.newBuilder()
                .setUserChoice(UserChoice.newBuilder().setChosenCompletionId("cmp-x")).build()));
        assertStatus(Status.Code.UNAUTHENTICATED, () -> feedback(null).exportPairs(ExportPairsRequest
                .getDefaultInstance()).forEachRemaining(item -> { }));
        assertStatus(Status.Code.NOT_FOUND, () -> feedback(certs.writeToken()).recordFeedback(RecordFeedbackRequest
                .newBuilder().setUserChoice(UserChoice.newBuilder().setChosenCompletionId("cmp-x")).build()));
    }

    @Test
    void readOnlyTokenListsContinualJobsButCannotCreateOrCancelThem() throws Exception {
        ContinualServiceGrpc.ContinualServiceBlockingStub reader = ContinualServiceGrpc.newBlockingStub(
                clients.tls(server.port(), certs, null, certs.readToken())).withDeadlineAfter(30, TimeUnit.SECONDS);
        reader.listContinualJobs(ListContinualJobsRequest.getDefaultInstance());
        assertStatus(Status.Code.PERMISSION_DENIED, () -> reader.createContinualJob(
                CreateContinualJobRequest.getDefaultInstance()));
        assertStatus(Status.Code.PERMISSION_DENIED, () -> reader.cancelContinualJob(CancelContinualJobRequest
                .newBuilder().setJobId("cjob-x").build()));
        ContinualServiceGrpc.ContinualServiceBlockingStub writer = ContinualServiceGrpc.newBlockingStub(
                clients.tls(server.port(), certs, null, certs.writeToken())).withDeadlineAfter(30, TimeUnit.SECONDS);
        assertStatus(Status.Code.NOT_FOUND, () -> writer.cancelContinualJob(CancelContinualJobRequest.newBuilder()
                .setJobId("cjob-x").build()));
    }

    @Test
    void writeTokenGetsPastAuthentication() throws Exception {
        // an empty config is refused by validation, which runs only after the token was accepted
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> runs(certs.writeToken())
                .createRun(CreateRunRequest.getDefaultInstance()));
    }

    @Test
    void healthNeedsNoToken() {
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(clients.tls(server.port(), certs, null, null))
                .withDeadlineAfter(20, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
    }

    @Test
    void plaintextClientIsRefused() {
        ManagedChannel plaintext = clients.plaintext(server.port());
        assertStatus(Status.Code.UNAVAILABLE, () -> RunServiceGrpc.newBlockingStub(plaintext)
                .withDeadlineAfter(20, TimeUnit.SECONDS).listRuns(ListRunsRequest.getDefaultInstance()));
    }

    @Test
    void hugeRunIdIsInvalidArgument() throws Exception {
        StatusRuntimeException e = assertStatus(Status.Code.INVALID_ARGUMENT, () -> runs(certs.readToken())
                .getRun(GetRunRequest.newBuilder().setRunId(HUGE).build()));
        assertTrue(e.getStatus().getDescription().contains("run_id"), e.getStatus().getDescription());
    }

    @Test
    void hugePathIsInvalidArgumentNamingTheField() throws Exception {
        RunConfig config = runConfig(tmp.resolve("out-huge"));
        config = config.toBuilder().setData(config.getData().toBuilder()
                .setTrainingFile(tmp.resolve(HUGE).toString())).build();
        StatusRuntimeException e = create(config);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("data.training_file"), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().length() < 4096, "the echoed path is cut short");
    }

    @Test
    void hugeLossNameIsInvalidArgument() throws Exception {
        RunConfig config = runConfig(tmp.resolve("out-loss"));
        config = config.toBuilder().setTraining(config.getTraining().toBuilder().addLossTypes(HUGE)).build();
        StatusRuntimeException e = create(config);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("training.loss_types[0]"), e.getStatus().getDescription());
    }

    @Test
    void nulByteInAPathIsInvalidArgument() throws Exception {
        RunConfig config = runConfig(tmp.resolve("out-nul"));
        config = config.toBuilder().setData(config.getData().toBuilder()
                .setTrainingFile(tmp.resolve("train").toString() + "\0.jsonl")).build();
        StatusRuntimeException e = create(config);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("data.training_file"), e.getStatus().getDescription());
    }

    @Test
    void serviceAddressThatIsNotTheOrchestratorsOwnIsRefused() throws Exception {
        RunConfig config = runConfig(tmp.resolve("out-address")).toBuilder()
                .setServices(ServicesConfig.newBuilder().setTrainerAddress("attacker.example:50054")).build();
        StatusRuntimeException e = create(config);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("services.trainer_address"),
                e.getStatus().getDescription());
    }

    @Test
    void outputDirInsideThePolicysModelDirectoryIsInvalidArgument() throws Exception {
        Path policy = REPO.resolve("examples/tiny-llama");
        StatusRuntimeException e = create(runConfig(policy.resolve("runs/out")));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("is inside the model directory"),
                e.getStatus().getDescription());
    }

    private StatusRuntimeException create(RunConfig config) throws Exception {
        RunServiceGrpc.RunServiceBlockingStub writer = runs(certs.writeToken());
        return assertThrows(StatusRuntimeException.class,
                () -> writer.createRun(CreateRunRequest.newBuilder().setConfig(config).build()));
    }

    private RunServiceGrpc.RunServiceBlockingStub runs(String token) {
        return RunServiceGrpc.newBlockingStub(clients.tls(server.port(), certs, null, token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private FeedbackServiceGrpc.FeedbackServiceBlockingStub feedback(String token) {
        return FeedbackServiceGrpc.newBlockingStub(clients.tls(server.port(), certs, null, token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static StatusRuntimeException assertStatus(Status.Code expected, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(expected, e.getStatus().getCode(), e.getStatus().toString());
        return e;
    }

    private static RunConfig runConfig(Path outputDir) {
        return RunConfig.newBuilder()
                .setModel(ModelConfig.newBuilder().setPolicy(REPO.resolve("examples/tiny-llama").toString()))
                .setData(DataConfig.newBuilder()
                        .setTrainingFile(REPO.resolve("examples/data/quickstart.jsonl").toString()))
                .setTraining(TrainingConfig.newBuilder().setMaxSteps(1))
                .setOutput(OutputConfig.newBuilder().setOutputDir(outputDir.toString()))
                .build();
    }
}
