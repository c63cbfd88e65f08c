package dev.jdpo.orchestrator.api;

import dev.jdpo.host.DaemonThreads;
import dev.jdpo.orchestrator.feedback.FeedbackRecorder;
import dev.jdpo.orchestrator.feedback.PairExporter;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportPairsResponse;
import dev.jdpo.proto.v1.ExportSummary;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.RecordFeedbackResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The public FeedbackService over gRPC: a thin adapter to {@link FeedbackRecorder} and {@link PairExporter}. */
public final class FeedbackServiceEndpoint extends FeedbackServiceGrpc.FeedbackServiceImplBase
        implements AutoCloseable {

    /** Exports running at once; more wait their turn. Each holds a thread while its client reads. */
    private static final int EXPORT_THREADS = 4;

    private final FeedbackRecorder recorder;
    private final PairExporter exporter;
    private final ExecutorService exports = Executors.newFixedThreadPool(EXPORT_THREADS, 
            DaemonThreads.named("jdpo-export-"));

    public FeedbackServiceEndpoint(FeedbackRecorder recorder, PairExporter exporter) {
        this.recorder = recorder;
        this.exporter = exporter;
    }

    @Override
    public void logCompletion(LogCompletionRequest request, StreamObserver<LogCompletionResponse> response) {
        Unary.call(response, () -> recorder.logCompletion(request));
    }

    @Override
    public void recordFeedback(RecordFeedbackRequest request, StreamObserver<RecordFeedbackResponse> response) {
        Unary.call(response, () -> recorder.record(request));
    }

    @Override
    public void exportPairs(ExportPairsRequest request, StreamObserver<ExportPairsResponse> response) {
        FlowControlledSink<ExportPairsResponse> sink =
                new FlowControlledSink<>((ServerCallStreamObserver<ExportPairsResponse>) response);
        exports.execute(() -> {
            ExportSummary summary;
            try {
                summary = exporter.export(request,
                        pair -> sink.accept(ExportPairsResponse.newBuilder().setPair(pair).build()));
                sink.accept(ExportPairsResponse.newBuilder().setSummary(summary).build());
            } catch (Exception failed) {
                if (!sink.cancelled()) {
                    response.onError(ApiErrors.toStatus(failed));
                }
                return;
            }
            response.onCompleted();
        });
    }

    @Override
    public void close() {
        exports.shutdownNow();
    }
}
