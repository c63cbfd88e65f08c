package dev.jdpo.reference.grpc;

import dev.jdpo.proto.internal.v1.GetStatsRequest;
import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ReferenceStats;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.ScoreResponse;
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.reference.InvalidPairException;
import dev.jdpo.reference.LocalReferenceScorer;
import dev.jdpo.reference.PairScore;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC {@code jdpo.internal.v1.ReferenceService} over a local reference scorer. Plain grpc-java: add it to any
 * server builder (Netty, in-process, or Micronaut's). Close it after the server stops, to end its stream threads.
 */
public final class ReferenceServiceEndpoint extends ReferenceServiceGrpc.ReferenceServiceImplBase
        implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceServiceEndpoint.class);

    private final LocalReferenceScorer scorer;
    private final StreamSettings streamSettings;
    private final String replicaId;
    // stream chunks are scored here; the model serializes forward passes anyway, so one thread is enough
    private final ExecutorService streamScoring = Executors.newSingleThreadExecutor(daemon("reference-stream"));
    private final ScheduledExecutorService lingerTimer =
            Executors.newSingleThreadScheduledExecutor(daemon("reference-stream-linger"));

    public ReferenceServiceEndpoint(LocalReferenceScorer scorer, StreamSettings streamSettings, String replicaId) {
        this.scorer = scorer;
        this.streamSettings = streamSettings;
        this.replicaId = replicaId;
    }

    @Override
    public void score(ScoreRequest request, StreamObserver<ScoreResponse> response) {
        if (Context.current().isCancelled()) {
            response.onError(Status.CANCELLED.withDescription("the client gave up before scoring began").asException());
            return;
        }
        List<PairScore> scores;
        try {
            scores = scorer.score(request.getPairsList(), request.getPerToken());
        } catch (RuntimeException e) {
            response.onError(statusOf(e).asException());
            return;
        }
        ScoreResponse.Builder b = ScoreResponse.newBuilder().setReplicaId(replicaId);
        scores.forEach(s -> b.addScores(ProtoScores.toProto(s)));
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public StreamObserver<TokenizedPair> scoreStream(StreamObserver<ScoredPair> responses) {
        ScoreStreamCall call = new ScoreStreamCall((ServerCallStreamObserver<ScoredPair>) responses,
                chunk -> scorer.score(chunk, false), streamSettings, streamScoring, lingerTimer);
        call.start();
        return call;
    }

    @Override
    public void getStats(GetStatsRequest request, StreamObserver<ReferenceStats> response) {
        response.onNext(ProtoScores.toProto(replicaId, scorer.identity().weightsFingerprint(), scorer.stats()));
        response.onCompleted();
    }

    @Override
    public void close() {
        streamScoring.shutdownNow();
        lingerTimer.shutdownNow();
    }

    /** INVALID_ARGUMENT for bad input (the client must not retry it elsewhere), INTERNAL otherwise. */
    static Status statusOf(RuntimeException e) {
        if (e instanceof InvalidPairException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        LOG.error("reference scoring failed", e);
        return Status.INTERNAL.withDescription("reference scoring failed: " + e);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
