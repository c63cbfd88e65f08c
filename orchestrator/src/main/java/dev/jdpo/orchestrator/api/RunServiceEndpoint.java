package dev.jdpo.orchestrator.api;

import dev.jdpo.host.DaemonThreads;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.state.Page;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import dev.jdpo.proto.v1.ListCheckpointsResponse;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.ListRunsResponse;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The public RunService over gRPC: a thin adapter from requests to {@link RunManager}. */
public final class RunServiceEndpoint extends RunServiceGrpc.RunServiceImplBase implements AutoCloseable {

    private static final int WATCH_THREADS = 4;

    private final RunManager runs;
    /** Drains every WatchRun stream; a drain never blocks on a client, so a few threads serve many watchers. */
    private final ExecutorService watchExecutor = Executors.newFixedThreadPool(WATCH_THREADS, 
            DaemonThreads.named("jdpo-watch-"));

    public RunServiceEndpoint(RunManager runs) {
        this.runs = runs;
    }

    @Override
    public void createRun(CreateRunRequest request, StreamObserver<Run> response) {
        Unary.call(response, () -> runs.create(request.getConfig()));
    }

    @Override
    public void getRun(GetRunRequest request, StreamObserver<Run> response) {
        Unary.call(response, () -> runs.get(ApiErrors.requireId("run_id", request.getRunId())));
    }

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
        Unary.call(response, () -> {
            int size = PageTokens.size(request.getPageSize());
            long before = PageTokens.before(request.getPageToken(), "ListRuns");
            if (request.getStatus() == RunStatus.UNRECOGNIZED) {
                throw ApiErrors.invalidArgument("status", "unknown status " + request.getStatusValue());
            }
            RunStatus filter = request.getStatus() == RunStatus.RUN_STATUS_UNSPECIFIED ? null : request.getStatus();
            Page<Run> page = runs.list(before, size, filter);
            return ListRunsResponse.newBuilder().addAllRuns(page.items())
                    .setNextPageToken(PageTokens.encode(page.nextBeforeOrdinal())).build();
        });
    }

    @Override
    public void watchRun(WatchRunRequest request, StreamObserver<RunEvent> response) {
        try {
            runs.get(ApiErrors.requireId("run_id", request.getRunId()));
            if (request.getAfterSequence() < 0) {
                throw ApiErrors.invalidArgument("after_sequence", "must be >= 0, got " + request.getAfterSequence());
            }
        } catch (Exception rejected) {
            response.onError(ApiErrors.toStatus(rejected));
            return;
        }
        new RunWatcher(request.getRunId(), request.getAfterSequence(), (ServerCallStreamObserver<RunEvent>) response,
                runs, watchExecutor).start();
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<Run> response) {
        Unary.call(response, () -> runs.cancel(ApiErrors.requireId("run_id", request.getRunId())));
    }

    @Override
    public void listCheckpoints(ListCheckpointsRequest request, StreamObserver<ListCheckpointsResponse> response) {
        Unary.call(response, () -> ListCheckpointsResponse.newBuilder()
                .addAllCheckpoints(runs.checkpoints(ApiErrors.requireId("run_id", request.getRunId()))).build());
    }

    @Override
    public void close() {
        watchExecutor.shutdownNow();
    }
}
