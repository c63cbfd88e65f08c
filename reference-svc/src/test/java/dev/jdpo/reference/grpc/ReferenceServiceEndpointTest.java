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
import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.reference.LocalReferenceScorer;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.TestPairs;
import dev.jdpo.reference.TinyReference;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReferenceServiceEndpointTest {

    private static final StreamSettings STREAM = new StreamSettings(8, 16, Duration.ofMillis(5));

    private LocalReferenceScorer scorer;
    private ReferenceServiceEndpoint endpoint;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        scorer = TinyReference.scorer();
        endpoint = new ReferenceServiceEndpoint(scorer, STREAM, "replica-under-test");
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(endpoint).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        endpoint.close();
    }

    @Test
    void scoreAnswersInRequestOrderWithTheLocalNumbers() {
        List<TokenizedPair> pairs = TestPairs.random(12, 31, 512, 12, 12);
        List<PairScore> local = TinyReference.scorer().score(pairs, true);
        ScoreResponse response = ReferenceServiceGrpc.newBlockingStub(channel)
                .score(ScoreRequest.newBuilder().addAllPairs(pairs).setPerToken(true).build());
        assertEquals("replica-under-test", response.getReplicaId());
        assertEquals(pairs.size(), response.getScoresCount());
        for (int i = 0; i < pairs.size(); i++) {
            PairReferenceScore s = response.getScores(i);
            assertEquals(pairs.get(i).getIndex(), s.getIndex());
            assertEquals(local.get(i).logProbs(), ProtoScores.fromProto(s, true).logProbs());
            assertEquals(pairs.get(i).getChosenIdsCount(), s.getChosenTokenLogpsCount());
        }
    }

    @Test
    void invalidPairsAreInvalidArgumentNamingThePair() {
        TokenizedPair bad = TestPairs.pair(42, new int[] {1}, new int[] {2, 9999}, new int[] {3});
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
                ReferenceServiceGrpc.newBlockingStub(channel).score(ScoreRequest.newBuilder().addPairs(bad).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("pair 42"), e.getStatus().getDescription());
    }

    @Test
    void statsReportForwardPassesAndCacheCounters() {
        List<TokenizedPair> pairs = TestPairs.random(5, 2, 512, 6, 6);
        var stub = ReferenceServiceGrpc.newBlockingStub(channel);
        stub.score(ScoreRequest.newBuilder().addAllPairs(pairs).build());
        stub.score(ScoreRequest.newBuilder().addAllPairs(pairs).build());
        ReferenceStats stats = stub.getStats(GetStatsRequest.getDefaultInstance());
        assertEquals(TinyReference.identity().weightsFingerprint(), stats.getReferenceFingerprint());
        assertEquals(10, stats.getPairsRequested());
        assertEquals(5, stats.getCacheHits());
        assertEquals(5, stats.getCacheMisses());
        assertEquals(5, stats.getCacheEntries());
        assertEquals(scorer.stats().forwardPasses(), stats.getForwardPasses());
        assertTrue(stats.getForwardPasses() > 0);
    }

    @Test
    void scoreStreamAnswersEveryPairInOrder() throws Exception {
        List<TokenizedPair> pairs = TestPairs.random(50, 17, 512, 10, 10);
        List<PairScore> local = TinyReference.scorer().score(pairs, false);
        StreamClient client = new StreamClient(pairs, Integer.MAX_VALUE);
        ReferenceServiceGrpc.newStub(channel).scoreStream(client);
        List<ScoredPair> answers = client.done.get(30, TimeUnit.SECONDS);
        assertEquals(pairs.size(), answers.size());
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(pairs.get(i), answers.get(i).getPair());
            assertEquals(local.get(i).logProbs().chosenLogp(), answers.get(i).getReference().getChosenLogp());
            assertEquals(local.get(i).logProbs().rejectedLogp(), answers.get(i).getReference().getRejectedLogp());
        }
    }

    @Test
    void scoreStreamStopsReadingWhileTheClientDoesNotRead() throws Exception {
        List<TokenizedPair> pairs = TestPairs.random(60, 3, 512, 6, 6);
        StreamClient client = new StreamClient(pairs, 0);
        ReferenceServiceGrpc.newStub(channel).scoreStream(client);
        // the client reads nothing: the server takes one window of pairs and then asks for no more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scorer.stats().pairsRequested() < STREAM.windowPairs() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertEquals(STREAM.windowPairs(), scorer.stats().pairsRequested());
        assertTrue(client.sent() > STREAM.windowPairs() - 1 && client.sent() < pairs.size(), "sent " + client.sent());
        // once it reads, everything flows
        client.requestAll();
        assertEquals(pairs.size(), client.done.get(30, TimeUnit.SECONDS).size());
        assertEquals(pairs.size(), scorer.stats().pairsRequested());
    }

    /** Sends pairs only while the call is ready; reads {@code initialReads} answers until told to read all. */
    private static final class StreamClient implements ClientResponseObserver<TokenizedPair, ScoredPair> {
        final CompletableFuture<List<ScoredPair>> done = new CompletableFuture<>();
        private final List<ScoredPair> received = new CopyOnWriteArrayList<>();
        private final List<TokenizedPair> pairs;
        private final int initialReads;
        private volatile ClientCallStreamObserver<TokenizedPair> call;
        private int next;
        private boolean halfClosed;

        StreamClient(List<TokenizedPair> pairs, int initialReads) {
            this.pairs = pairs;
            this.initialReads = initialReads;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<TokenizedPair> requestStream) {
            call = requestStream;
            if (initialReads != Integer.MAX_VALUE) {
                requestStream.disableAutoRequestWithInitial(initialReads);
            }
            requestStream.setOnReadyHandler(this::sendWhileReady);
        }

        synchronized int sent() {
            return next;
        }

        void requestAll() {
            call.request(Integer.MAX_VALUE);
        }

        private synchronized void sendWhileReady() {
            while (call.isReady() && next < pairs.size()) {
                call.onNext(pairs.get(next++));
            }
            if (next == pairs.size() && !halfClosed) {
                halfClosed = true;
                call.onCompleted();
            }
        }

        @Override
        public void onNext(ScoredPair value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(List.copyOf(received));
        }
    }
}
