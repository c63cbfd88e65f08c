package dev.jdpo.reference.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.GetStatsRequest;
import dev.jdpo.proto.internal.v1.PairReferenceScore;
import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ReferenceStats;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.ScoreResponse;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.LocalReferenceScorer;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.ReferenceLoadException;
import dev.jdpo.reference.TestPairs;
import dev.jdpo.reference.TinyReference;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReferenceServiceEndpointTest {

    private LocalReferenceScorer scorer;
    private ReferenceServiceEndpoint endpoint;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        scorer = TinyReference.scorer();
        endpoint = new ReferenceServiceEndpoint(scorer, "replica-under-test");
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(endpoint).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void scoreAnswersInRequestOrderWithTheLocalNumbers() {
        List<IndexedPair> pairs = TestPairs.random(12, 31, 512, 12, 12);
        List<PairScore> local = TinyReference.scorer().score(pairs, true);
        ScoreResponse response = ReferenceServiceGrpc.newBlockingStub(channel)
                .score(ScoreRequest.newBuilder().addAllPairs(wire(pairs)).setPerToken(true).build());
        assertEquals("replica-under-test", response.getReplicaId());
        assertEquals(pairs.size(), response.getScoresCount());
        for (int i = 0; i < pairs.size(); i++) {
            PairReferenceScore s = response.getScores(i);
            assertEquals(pairs.get(i).index(), s.getIndex());
            assertEquals(local.get(i).logProbs(), ProtoScores.fromProto(s, true).logProbs());
            assertEquals(pairs.get(i).tokens().chosenIds().length, s.getChosenTokenLogpsCount());
        }
    }

    @Test
    void invalidPairsAreInvalidArgumentNamingThePair() {
        IndexedPair bad = TestPairs.pair(42, new int[] {1}, new int[] {2, 9999}, new int[] {3});
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
                ReferenceServiceGrpc.newBlockingStub(channel).score(ScoreRequest.newBuilder().addPairs(ProtoScores.toProto(bad)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("pair 42"), e.getStatus().getDescription());
    }

    @Test
    void aCheckpointThatFailsToLoadIsAFailedPreconditionWithItsMessage() {
        Status status = ReferenceServiceEndpoint.statusOf(new ReferenceLoadException("cannot load /models/ref"));
        assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
        assertEquals("cannot load /models/ref", status.getDescription());
    }

    @Test
    void aSequenceLongerThanTheServiceLimitIsRefusedBeforeAnyForwardPass() throws Exception {
        // 100,000 tokens once made the reference service try to allocate 40 GB of attention scores
        LocalReferenceScorer limited = TinyReference.scorer(ScoreCache.inMemory(), new BatchLimits(8192, 64, 8192));
        String name = InProcessServerBuilder.generateName();
        Server limitedServer = InProcessServerBuilder.forName(name)
                .addService(new ReferenceServiceEndpoint(limited, "limited")).build().start();
        ManagedChannel limitedChannel = InProcessChannelBuilder.forName(name).build();
        try {
            int[] longAnswer = new int[100_000];
            Arrays.fill(longAnswer, 5);
            IndexedPair huge = TestPairs.pair(7, new int[] {1, 2}, longAnswer, new int[] {3});
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ReferenceServiceGrpc
                    .newBlockingStub(limitedChannel).score(ScoreRequest.newBuilder()
                            .addPairs(ProtoScores.toProto(huge)).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals("pair 7 (source line 8): prompt_ids + chosen_ids are 100002 tokens; this reference service scores at most "
                    + "8192 per sequence", e.getStatus().getDescription());
            assertEquals(0, limited.stats().forwardPasses());
        } finally {
            limitedChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            limitedServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void statsReportForwardPassesAndCacheCounters() {
        List<IndexedPair> pairs = TestPairs.random(5, 2, 512, 6, 6);
        var stub = ReferenceServiceGrpc.newBlockingStub(channel);
        stub.score(ScoreRequest.newBuilder().addAllPairs(wire(pairs)).build());
        stub.score(ScoreRequest.newBuilder().addAllPairs(wire(pairs)).build());
        ReferenceStats stats = stub.getStats(GetStatsRequest.getDefaultInstance());
        assertEquals(TinyReference.identity().weightsFingerprint(), stats.getReferenceFingerprint());
        assertEquals(10, stats.getPairsRequested());
        assertEquals(5, stats.getCacheHits());
        assertEquals(5, stats.getCacheMisses());
        assertEquals(5, stats.getCacheEntries());
        assertEquals(scorer.stats().forwardPasses(), stats.getForwardPasses());
        assertTrue(stats.getForwardPasses() > 0);
    }

    private static List<TokenizedPair> wire(List<IndexedPair> pairs) {
        return pairs.stream().map(ProtoScores::toProto).toList();
    }
}
