package dev.jdpo.tokenizer.grpc;

import dev.jdpo.host.security.PathRoots;
import dev.jdpo.proto.internal.v1.DatasetProgress;
import dev.jdpo.proto.internal.v1.Split;
import dev.jdpo.proto.internal.v1.TokenizeDatasetRequest;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.pipeline.PreparedDataset;
import dev.jdpo.tokenizer.pipeline.ValidationReport;
import io.grpc.Context;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;

/**
 * The TokenizerService endpoint: whole-file passes run on {@code executor} (they can take minutes), and pairs move
 * with gRPC flow control so neither side buffers without bound.
 */
public final class TokenizerGrpcService extends TokenizerServiceGrpc.TokenizerServiceImplBase {

    /** How often TokenizeDataset reports the rows read while it reads a file. */
    public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    private final TokenizerRegistry tokenizers;
    private final Executor executor;
    private final Duration progressInterval;
    private final PathRoots readRoots;

    /** An in-process service: its only caller, the orchestrator, checks paths against its own allowed roots. */
    public TokenizerGrpcService(TokenizerRegistry tokenizers, Executor executor) {
        this(tokenizers, executor, PROGRESS_INTERVAL, PathRoots.anywhere());
    }

    /** A service that reads only under {@code readRoots}, whoever calls it. */
    public TokenizerGrpcService(TokenizerRegistry tokenizers, Executor executor, PathRoots readRoots) {
        this(tokenizers, executor, PROGRESS_INTERVAL, readRoots);
    }

    public TokenizerGrpcService(TokenizerRegistry tokenizers, Executor executor, Duration progressInterval,
                                PathRoots readRoots) {
        this.tokenizers = tokenizers;
        this.executor = executor;
        this.progressInterval = progressInterval;
        this.readRoots = readRoots;
    }

    @Override
    public void tokenizeDataset(TokenizeDatasetRequest request, StreamObserver<TokenizeResponse> responses) {
        ServerCallStreamObserver<TokenizeResponse> call = (ServerCallStreamObserver<TokenizeResponse>) responses;
        ResponseStream stream = request.getOptions().getFileOrder() ? new FileOrderStream(call)
                : new PreparedStream(call);
        call.setOnCancelHandler(stream::cancel);
        call.setOnReadyHandler(stream::ready);
        Context context = Context.current();
        executor.execute(context.wrap(() -> {
            try {
                FileJob job = job(request.getModelDir(), request.getDatasetPath(), request.getOptions());
                // only this thread sends until the pairs go out: the progress messages need no lock
                ProgressReports progress = new ProgressReports(call, progressInterval);
                stream.send(job.dataset(context, progress::rowsRead), job.file());
            } catch (CancellationException e) {
                stream.cancel();
            } catch (Exception e) {
                stream.fail(GrpcErrors.of(e));
            }
        }));
    }

    private record FileJob(PairEncoder encoder, DataOptions options, Path file) {

        /** The call's context is cancelled when the client cancels or its deadline passes: the pass stops then. */
        PreferenceDataset dataset(Context call, LongConsumer rowsRead) {
            return new PreferenceDataset(encoder, options, call::isCancelled, rowsRead);
        }
    }

    private FileJob job(String modelDir, String datasetPath, dev.jdpo.proto.internal.v1.DataOptions options)
            throws Exception {
        if (modelDir.isBlank()) {
            throw GrpcErrors.invalid("model_dir is empty");
        }
        if (datasetPath.isBlank()) {
            throw GrpcErrors.invalid("dataset_path is empty");
        }
        Path model = readRoots.require("model_dir", modelDir);
        Path dataset = readRoots.require("dataset_path", datasetPath);
        DataOptions parsed = parseOptions(options);
        return new FileJob(tokenizers.encoder(model), parsed, dataset);
    }

    private static DataOptions parseOptions(dev.jdpo.proto.internal.v1.DataOptions options) throws StatusException {
        try {
            return ProtoMessages.options(options);
        } catch (IllegalArgumentException e) {
            throw GrpcErrors.invalid("options: " + e.getMessage());
        }
    }

    /** One call's responses: pairs, then the report, or an error; nothing after the call ended. */
    private abstract static class ResponseStream {
        final ServerCallStreamObserver<TokenizeResponse> call;
        boolean done;

        ResponseStream(ServerCallStreamObserver<TokenizeResponse> call) {
            this.call = call;
        }

        /** Reads {@code file} and sends its pairs and report; on the executor's thread. */
        abstract void send(PreferenceDataset dataset, Path file) throws Exception;

        /** The transport can take more messages. */
        abstract void ready();

        synchronized void finish(dev.jdpo.proto.internal.v1.ValidationReport report) {
            if (!done) {
                done = true;
                call.onNext(TokenizeResponse.newBuilder().setReport(report).build());
                call.onCompleted();
            }
        }

        synchronized void fail(StatusException e) {
            if (!done) {
                done = true;
                call.onError(e);
            }
        }

        synchronized void cancel() {
            done = true;
            notifyAll();
        }

        static TokenizeResponse pair(EncodedPair pair, long index, Split split) {
            return TokenizeResponse.newBuilder().setPair(ProtoMessages.splitPair(pair, index, split)).build();
        }
    }

    /** Sends a prepared dataset (train, then validation, then the report) only as fast as the client reads. */
    private static final class PreparedStream extends ResponseStream {
        private PreparedDataset data;
        private int next;

        PreparedStream(ServerCallStreamObserver<TokenizeResponse> call) {
            super(call);
        }

        @Override
        void send(PreferenceDataset dataset, Path file) throws Exception {
            start(dataset.load(file));
        }

        private synchronized void start(PreparedDataset prepared) {
            if (!done) {
                data = prepared;
                ready();
            }
        }

        @Override
        synchronized void ready() {
            if (data == null || done) {
                return;
            }
            int train = data.train().size();
            int total = train + data.validation().size();
            while (call.isReady() && next <= total) {
                if (next < train) {
                    call.onNext(pair(data.train().get(next), next, Split.SPLIT_TRAIN));
                } else if (next < total) {
                    call.onNext(pair(data.validation().get(next - train), next - train, Split.SPLIT_VALIDATION));
                } else {
                    finish(ProtoMessages.report(data.report()));
                    data = null;
                    return;
                }
                next++;
            }
        }

        /** Also drops the pairs, so a cancelled call holds no memory while gRPC winds it down. */
        @Override
        synchronized void cancel() {
            super.cancel();
            data = null;
        }
    }

    /**
     * file_order: each pair goes out as it is tokenized, sent by the reading thread as the transport takes it: the
     * thread waits while the call is not ready, so a slow client holds the read back instead of filling memory.
     */
    private static final class FileOrderStream extends ResponseStream {
        private static final long WAIT_MILLIS = 100;

        FileOrderStream(ServerCallStreamObserver<TokenizeResponse> call) {
            super(call);
        }

        @Override
        void send(PreferenceDataset dataset, Path file) throws Exception {
            long[] index = {0};
            ValidationReport report = dataset.stream(file, pair -> send(pair(pair, index[0]++, Split.SPLIT_TRAIN)));
            finish(ProtoMessages.report(report.withSplit(report.pairs(), 0)));
        }

        @Override
        synchronized void ready() {
            notifyAll();
        }

        private synchronized void send(TokenizeResponse message) {
            try {
                while (!done && !call.isReady()) {
                    wait(WAIT_MILLIS);
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                done = true;
            }
            if (done) {
                throw new CancellationException("the TokenizeDataset call ended while pairs were sent");
            }
            call.onNext(message);
        }
    }

    /** Sends the rows read as a {@link DatasetProgress} at most once per interval. */
    private static final class ProgressReports {
        private final StreamObserver<TokenizeResponse> call;
        private final long intervalNanos;
        private long lastNanos = System.nanoTime();

        ProgressReports(StreamObserver<TokenizeResponse> call, Duration interval) {
            this.call = call;
            this.intervalNanos = interval.toNanos();
        }

        void rowsRead(long rows) {
            long now = System.nanoTime();
            if (now - lastNanos >= intervalNanos) {
                lastNanos = now;
                call.onNext(TokenizeResponse.newBuilder()
                        .setProgress(DatasetProgress.newBuilder().setRowsRead(rows)).build());
            }
        }
    }
}
