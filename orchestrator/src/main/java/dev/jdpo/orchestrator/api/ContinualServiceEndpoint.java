package dev.jdpo.orchestrator.api;

import dev.jdpo.host.DaemonThreads;
import dev.jdpo.orchestrator.continual.ContinualJobs;
import dev.jdpo.orchestrator.state.Page;
import dev.jdpo.proto.v1.CancelContinualJobRequest;
import dev.jdpo.proto.v1.ContinualEvent;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.CreateContinualJobRequest;
import dev.jdpo.proto.v1.GetContinualJobRequest;
import dev.jdpo.proto.v1.ListContinualJobsRequest;
import dev.jdpo.proto.v1.ListContinualJobsResponse;
import dev.jdpo.proto.v1.WatchContinualJobRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The public ContinualService over gRPC: a thin adapter to {@link ContinualJobs}. */
public final class ContinualServiceEndpoint extends ContinualServiceGrpc.ContinualServiceImplBase
        implements AutoCloseable {

    private static final int WATCH_THREADS = 2;
    private static final int WATCH_PAGE = 64;
    /** A job changes state at most every few seconds; watchers look for new events this often. */
    private static final long WATCH_POLL_MS = 250;

    private final ContinualJobs jobs;
    private final ScheduledExecutorService watchers = Executors.newScheduledThreadPool(WATCH_THREADS, 
            DaemonThreads.named("jdpo-continual-watch-"));

    public ContinualServiceEndpoint(ContinualJobs jobs) {
        this.jobs = jobs;
    }

    @Override
    public void createContinualJob(CreateContinualJobRequest request, StreamObserver<ContinualJob> response) {
        Unary.call(response, () -> {
            if (!request.hasConfig()) {
                throw ApiErrors.invalidArgument("config", "required");
            }
            return jobs.create(request.getConfig());
        });
    }

    @Override
    public void getContinualJob(GetContinualJobRequest request, StreamObserver<ContinualJob> response) {
        Unary.call(response, () -> jobs.get(ApiErrors.requireId("job_id", request.getJobId())));
    }

    @Override
    public void listContinualJobs(ListContinualJobsRequest request,
                                  StreamObserver<ListContinualJobsResponse> response) {
        Unary.call(response, () -> {
            int size = PageTokens.size(request.getPageSize());
            long before = PageTokens.before(request.getPageToken(), "ListContinualJobs");
            Page<ContinualJob> page = jobs.list(before, size);
            return ListContinualJobsResponse.newBuilder().addAllJobs(page.items())
                    .setNextPageToken(PageTokens.encode(page.nextBeforeOrdinal())).build();
        });
    }

    @Override
    public void watchContinualJob(WatchContinualJobRequest request, StreamObserver<ContinualEvent> response) {
        try {
            jobs.get(ApiErrors.requireId("job_id", request.getJobId()));
            if (request.getAfterSequence() < 0) {
                throw ApiErrors.invalidArgument("after_sequence", "must be >= 0, got " + request.getAfterSequence());
            }
        } catch (Exception rejected) {
            response.onError(ApiErrors.toStatus(rejected));
            return;
        }
        new Watch(request.getJobId(), request.getAfterSequence(),
                (ServerCallStreamObserver<ContinualEvent>) response).schedule(0);
    }

    @Override
    public void cancelContinualJob(CancelContinualJobRequest request, StreamObserver<ContinualJob> response) {
        Unary.call(response, () -> jobs.cancel(ApiErrors.requireId("job_id", request.getJobId())));
    }

    @Override
    public void close() {
        watchers.shutdownNow();
    }

    /** One WatchContinualJob stream: sends stored events past its cursor while the client reads, polling for more. */
    private final class Watch {

        private final String jobId;
        private final ServerCallStreamObserver<ContinualEvent> call;
        private long cursor;

        Watch(String jobId, long afterSequence, ServerCallStreamObserver<ContinualEvent> call) {
            this.jobId = jobId;
            this.cursor = afterSequence;
            this.call = call;
        }

        void schedule(long delayMs) {
            watchers.schedule(this::drain, delayMs, TimeUnit.MILLISECONDS);
        }

        private void drain() {
            try {
                while (!call.isCancelled() && call.isReady()) {
                    List<ContinualEvent> page = jobs.eventsAfter(jobId, cursor, WATCH_PAGE);
                    for (ContinualEvent event : page) {
                        call.onNext(event);
                        cursor = event.getSequence();
                        if (ends(event)) {
                            call.onCompleted();
                            return;
                        }
                    }
                    if (page.size() < WATCH_PAGE) {
                        break;
                    }
                }
                if (!call.isCancelled()) {
                    schedule(WATCH_POLL_MS);
                }
            } catch (RuntimeException failed) {
                if (!call.isCancelled()) {
                    call.onError(ApiErrors.toStatus(failed));
                }
            }
        }

        private static boolean ends(ContinualEvent event) {
            ContinualJobStatus status = event.getStatus();
            return event.hasStatus() && (status == ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED
                    || status == ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED
                    || status == ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED);
        }
    }
}
