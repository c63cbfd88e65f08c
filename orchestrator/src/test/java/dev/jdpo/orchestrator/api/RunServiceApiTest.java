package dev.jdpo.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.ListRunsResponse;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import dev.jdpo.testing.ReflectionProbe;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RunService semantics over a real loopback gRPC server, with a scripted executor in place of the engines. */
class RunServiceApiTest {

    @TempDir
    static Path tmp;
    static TestWorkspace workspace;
    static OrchestratorServer server;
    static RunClient client;

    @BeforeAll
    static void start() throws Exception {
        workspace = new TestWorkspace(tmp);
        server = workspace.start(new ScriptedRunExecutor(12, 20, 4));
        client = new RunClient(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static Run create(RunConfig config) {
        return client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
    }

    @Test
    void invalidConfigIsInvalidArgumentNamingTheFieldPath() {
        RunConfig config = workspace.config("bad").toBuilder()
                .setTraining(workspace.config("bad").getTraining().toBuilder().setBeta(-1))
                .build();
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> create(config));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
        assertEquals("training.beta: must be > 0, got -1", error.getStatus().getDescription());
        BadRequest details = StatusProto.fromThrowable(error).getDetailsList().stream()
                .filter(any -> any.is(BadRequest.class))
                .map(any -> {
                    try {
                        return any.unpack(BadRequest.class);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .findFirst().orElseThrow();
        assertEquals("training.beta", details.getFieldViolations(0).getField());
    }

    @Test
    void aSecondRunIntoTheOutputDirOfAnActiveRunIsInvalidArgument() throws Exception {
        // its own orchestrator with a run that cannot finish or checkpoint while the second create arrives
        try (OrchestratorServer slow = workspace.start(new ScriptedRunExecutor(10_000, 20, 0));
             RunClient slowClient = new RunClient(slow.port())) {
            RunConfig config = workspace.config("shared-output");
            Run first = slowClient.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> slowClient.stub()
                    .createRun(CreateRunRequest.newBuilder().setConfig(config).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
            assertTrue(error.getStatus().getDescription().startsWith("output.output_dir: "
                    + config.getOutput().getOutputDir() + " is the output_dir of run " + first.getId()
                    + ", which is "), error.getStatus().getDescription());
            slowClient.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(first.getId()).build());
        }
    }

    @Test
    void missingRequiredFieldsAreAllNamed() {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> create(RunConfig.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
        String message = error.getStatus().getDescription();
        assertTrue(message.contains("model.policy: required"), message);
        assertTrue(message.contains("data.training_file: required"), message);
        assertTrue(message.contains("output.output_dir: required"), message);
        assertFalse(message.contains("\tat "), "no stack trace: " + message);
    }

    @Test
    void pathOutsideAllowedRootsIsPermissionDenied() {
        RunConfig config = workspace.config("outside").toBuilder()
                .setData(workspace.config("outside").getData().toBuilder().setTrainingFile("/etc/hostname"))
                .build();
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> create(config));
        assertEquals(Status.Code.PERMISSION_DENIED, error.getStatus().getCode());
        assertTrue(error.getStatus().getDescription().startsWith("data.training_file: /etc/hostname is outside"),
                error.getStatus().getDescription());
    }

    @Test
    void missingModelDirectoryIsInvalidArgument() {
        RunConfig config = workspace.config("nomodel").toBuilder()
                .setModel(workspace.config("nomodel").getModel().toBuilder()
                        .setPolicy(workspace.root().resolve("absent").toString()))
                .build();
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, () -> create(config));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
        assertTrue(error.getStatus().getDescription().startsWith("model.policy: "), error.getStatus().getDescription());
    }

    @Test
    void unknownRunIsNotFoundForEveryMethod() {
        String id = "run-doesnotexist";
        List<Runnable> calls = List.of(
                () -> client.stub().getRun(GetRunRequest.newBuilder().setRunId(id).build()),
                () -> client.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(id).build()),
                () -> client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(id).build()),
                () -> client.stub().watchRun(WatchRunRequest.newBuilder().setRunId(id).build()).hasNext());
        for (Runnable call : calls) {
            StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call::run);
            assertEquals(Status.Code.NOT_FOUND, error.getStatus().getCode());
            assertEquals("run run-doesnotexist not found", error.getStatus().getDescription());
        }
    }

    @Test
    void runGoesThroughEveryStatusAndWatchEndsAtTheTerminalEvent() {
        Run created = create(workspace.config("happy"));
        assertTrue(created.getId().matches("run-[a-z2-7]{20}"), created.getId());
        assertEquals(RunStatus.RUN_STATUS_VALIDATING_FILES, created.getStatus());
        assertEquals(0.1, created.getConfig().getTraining().getBeta(), "defaults are filled in");

        List<RunEvent> events = client.watch(created.getId(), 0);
        List<RunStatus> statuses = events.stream().filter(RunEvent::hasStatusChange)
                .map(e -> e.getStatusChange().getStatus()).toList();
        assertEquals(List.of(RunStatus.RUN_STATUS_VALIDATING_FILES, RunStatus.RUN_STATUS_QUEUED,
                RunStatus.RUN_STATUS_RUNNING, RunStatus.RUN_STATUS_SUCCEEDED), statuses);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).getSequence());
        }
        assertEquals(12, events.stream().filter(RunEvent::hasMetrics).count());

        Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(created.getId()).build());
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus());
        assertEquals(12, done.getStep());
        assertEquals(12, done.getHyperparameters().getTotalSteps());
        assertEquals(events.size(), done.getLastSequence());
        assertTrue(done.hasFinishedAt() && done.hasStartedAt());
        assertTrue(Files.isDirectory(Path.of(done.getResultModelDir())));

        List<RunEvent> resumed = client.watch(created.getId(), 5);
        assertEquals(events.subList(5, events.size()), resumed, "after_sequence resumes without loss or duplicates");
        assertTrue(client.watch(created.getId(), done.getLastSequence()).isEmpty());
    }

    @Test
    void cancelStopsAtAStepBoundaryAndKeepsTheLastCheckpoint() throws Exception {
        try (OrchestratorServer slow = workspace.start(new ScriptedRunExecutor(1000, 30, 5));
             RunClient slowClient = new RunClient(slow.port())) {
            RunServiceGrpc.RunServiceBlockingStub stub = slowClient.stub();
            Run run = stub.createRun(CreateRunRequest.newBuilder().setConfig(workspace.config("cancel")).build());
            waitForStep(stub, run.getId(), 7);

            Run cancelled = stub.cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_CANCELLED, cancelled.getStatus());
            assertTrue(cancelled.getCancelRequested());
            assertTrue(cancelled.getStep() < 1000);

            List<Checkpoint> checkpoints = stub.listCheckpoints(
                    ListCheckpointsRequest.newBuilder().setRunId(run.getId()).build()).getCheckpointsList();
            assertFalse(checkpoints.isEmpty());
            Checkpoint last = checkpoints.get(checkpoints.size() - 1);
            assertEquals(cancelled.getStep(), last.getStep(), "the stop step is checkpointed");
            assertTrue(Files.isDirectory(Path.of(last.getPath())), "checkpoint directories are kept");
            assertEquals(run.getId() + "/step-" + last.getStep(), last.getId());

            assertEquals(RunStatus.RUN_STATUS_CANCELLED,
                    stub.cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build()).getStatus(),
                    "cancelling twice is a no-op");
            List<RunEvent> events = slowClient.watch(run.getId(), 0);
            RunEvent lastEvent = events.get(events.size() - 1);
            assertEquals(RunStatus.RUN_STATUS_CANCELLED, lastEvent.getStatusChange().getStatus(), "terminal is last");
        }
    }

    @Test
    void cancellingASucceededRunIsFailedPrecondition() {
        Run run = create(workspace.config("finished"));
        client.watch(run.getId(), 0);
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> client.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, error.getStatus().getCode());
    }

    @Test
    void listRunsPagesNewestFirstWithoutRepeats() {
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            created.add(create(workspace.config("page-" + i)).getId());
        }
        List<Run> seen = new ArrayList<>();
        String token = "";
        do {
            ListRunsResponse page = client.stub().listRuns(
                    ListRunsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            assertTrue(page.getRunsCount() <= 2);
            seen.addAll(page.getRunsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        List<String> ids = seen.stream().map(Run::getId).toList();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "no run twice");
        assertTrue(ids.containsAll(created));
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i - 1).getCreatedAt().getSeconds() >= seen.get(i).getCreatedAt().getSeconds());
        }

        StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class, () -> client.stub()
                .listRuns(ListRunsRequest.newBuilder().setPageToken("garbage").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
        StatusRuntimeException badSize = assertThrows(StatusRuntimeException.class, () -> client.stub()
                .listRuns(ListRunsRequest.newBuilder().setPageSize(1000).build()));
        assertEquals("page_size: must be in 1..100 (0 means 20), got 1000", badSize.getStatus().getDescription());
    }

    @Test
    void healthReportsServing() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(client.channel())
                .check(HealthCheckRequest.getDefaultInstance());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    @Test
    void reflectionListsRunService() throws Exception {
        List<String> names = ReflectionProbe.services(client.channel());
        assertTrue(names.contains("jdpo.v1.RunService"), names.toString());
        assertTrue(names.contains("grpc.health.v1.Health"), names.toString());
    }

    @Test
    void failedRunKeepsItsCheckpointsAndReportsTheCause() throws Exception {
        try (OrchestratorServer failing = workspace.start(new ScriptedRunExecutor(20, 5, 3, 8));
             RunClient failingClient = new RunClient(failing.port())) {
            Run run = failingClient.stub().createRun(
                    CreateRunRequest.newBuilder().setConfig(workspace.config("failing")).build());
            List<RunEvent> events = failingClient.watch(run.getId(), 0);
            RunEvent last = events.get(events.size() - 1);
            assertEquals(RunStatus.RUN_STATUS_FAILED, last.getStatusChange().getStatus());
            Run failed = failingClient.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals("service_unavailable", failed.getError().getCode());
            assertEquals("reference service unreachable at step 8", failed.getError().getMessage());
            List<Checkpoint> kept = failingClient.stub().listCheckpoints(
                    ListCheckpointsRequest.newBuilder().setRunId(run.getId()).build()).getCheckpointsList();
            assertEquals(List.of(3L, 6L), kept.stream().map(Checkpoint::getStep).toList());
            assertNotEquals("", failed.getFinishedAt().toString());
        }
    }

    static void waitForStep(RunServiceGrpc.RunServiceBlockingStub stub, String runId, long step)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stub.getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getStep() < step) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " did not reach step " + step);
            }
            Thread.sleep(10);
        }
    }
}
