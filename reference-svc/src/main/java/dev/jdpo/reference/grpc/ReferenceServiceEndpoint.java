package dev.jdpo.reference.grpc;

import dev.jdpo.proto.internal.v1.GetStatsRequest;
import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ReferenceStats;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.ScoreResponse;
import dev.jdpo.reference.InvalidPairException;
import dev.jdpo.reference.LocalReferenceScorer;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.ReferenceLoadException;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC {@code jdpo.internal.v1.ReferenceService} over a local reference scorer. Plain grpc-java: add it to any
 * server builder (Netty, in-process, or Micronaut's).
 */
public final class ReferenceServiceEndpoint extends ReferenceServiceGrpc.ReferenceServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceServiceEndpoint.class);

    private final LocalReferenceScorer scorer;
    private final String replicaId;

    public ReferenceServiceEndpoint(LocalReferenceScorer scorer, String replicaId) {
        this.scorer = scorer;
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
            scores = scorer.score(request.getPairsList().stream().map(ProtoScores::fromProto).toList(),
                    request.getPerToken());
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
    public void getStats(GetStatsRequest request, StreamObserver<ReferenceStats> response) {
        response.onNext(ProtoScores.toProto(replicaId, scorer.identity().weightsFingerprint(), scorer.stats()));
        response.onCompleted();
    }

    /**
     * INVALID_ARGUMENT for bad input and FAILED_PRECONDITION for a checkpoint that failed to load (the client must
     * not retry either elsewhere), INTERNAL otherwise.
     */
    static Status statusOf(RuntimeException e) {
        if (e instanceof InvalidPairException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof ReferenceLoadException) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        }
        LOG.error("reference scoring failed", e);
        return Status.INTERNAL.withDescription("reference scoring failed: " + e);
    }
}
