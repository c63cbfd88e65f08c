package dev.jdpo.reference.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ReferenceStats;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.ScoreResponse;
import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.InvalidPairException;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.ReferenceLoadException;
import dev.jdpo.reference.TestPairs;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ReferencePoolTest {

    private static final PoolOptions FAST = new PoolOptions(4, 2, Duration.ofSeconds(20), Duration.ofSeconds(30),
            Duration.ofMillis(20), Duration.ofMillis(200), 6);

    @Test
    void threeReplicasOneKilledMidRunLoseNoPairAndMatchOneReplica() throws Exception {
        List<IndexedPair> pairs = TestPairs.random(60, 99, 512, 14, 14);
        List<PairScore> single;
        try (InProcessReplica only = new InProcessReplica(); ReferencePool pool = new ReferencePool(List.of(only.channel()), FAST)) {
            single = pool.score(pairs, true);
        }
        InProcessReplica[] replicas = new InProcessReplica[3];
        // replica 1 dies with its second batch in hand
        replicas[1] = new InProcessReplica(killOnCall(2, () -> replicas[1].kill()));
        replicas[0] = new InProcessReplica();
        replicas[2] = new InProcessReplica();
        try (ReferencePool pool = new ReferencePool(List.of(replicas[0].channel(), replicas[1].channel(),
                replicas[2].channel()), FAST)) {
            List<PairScore> scores = pool.score(pairs, true);
            assertEquals(pairs.size(), scores.size());
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(pairs.get(i).index(), scores.get(i).index(), "position " + i);
                assertEquals(single.get(i).logProbs(), scores.get(i).logProbs(), "pair " + i);
            }
            PoolStats stats = pool.stats();
            assertEquals(15, stats.batchesCompleted(), "every batch delivered exactly once");
            assertTrue(stats.moved() >= 1, "the killed replica's batch moved: " + stats);
            ReplicaStats killed = stats.replicas().get(1);
            assertTrue(killed.failures() >= 1 && killed.batchesAnswered() <= 1, killed.toString());
            assertTrue(stats.replicas().get(0).batchesAnswered() > 0 && stats.replicas().get(2).batchesAnswered() > 0);
        } finally {
            for (InProcessReplica r : replicas) {
                r.close();
            }
        }
    }

    @Test
    void aStalledReplicasBatchMovesAndTheStalledCallIsCancelled() throws Exception {
        List<IndexedPair> pairs = TestPairs.random(12, 5, 512, 8, 8);
        CountDownLatch stalledCallCancelled = new CountDownLatch(1);
        String stalledName = InProcessServerBuilder.generateName();
        Server stalled = InProcessReplica.start(stalledName, new ReferenceServiceGrpc.ReferenceServiceImplBase() {
            @Override
            public void score(ScoreRequest request, StreamObserver<ScoreResponse> response) {
                Context.current().addListener(c -> stalledCallCancelled.countDown(), Runnable::run);
            }
        });
        PoolOptions quickMove = new PoolOptions(4, 1, Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 6);
        try (InProcessReplica healthy = new InProcessReplica();
             ReferencePool pool = new ReferencePool(List.of(
                     new ReplicaChannel("stalled", InProcessChannelBuilder.forName(stalledName).build()),
                     healthy.channel()), quickMove)) {
            List<PairScore> scores = pool.score(pairs, false);
            List<PairScore> local = dev.jdpo.reference.TinyReference.scorer().score(pairs, false);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(local.get(i).logProbs(), scores.get(i).logProbs());
            }
            PoolStats stats = pool.stats();
            assertEquals(3, stats.batchesCompleted());
            assertTrue(stats.moved() >= 1, stats.toString());
            assertEquals(0, stats.replicas().get(0).batchesAnswered());
            assertTrue(stalledCallCancelled.await(5, TimeUnit.SECONDS), "the losing call was cancelled");
        } finally {
            stalled.shutdownNow();
        }
    }

    @Test
    void invalidPairsFailAtOnceWithoutRetries() throws Exception {
        try (InProcessReplica a = new InProcessReplica(); InProcessReplica b = new InProcessReplica();
             ReferencePool pool = new ReferencePool(List.of(a.channel(), b.channel()), FAST)) {
            List<IndexedPair> pairs = new ArrayList<>(TestPairs.random(3, 1, 512, 4, 4));
            pairs.add(TestPairs.pair(77, new int[] {1}, new int[] {600}, new int[] {2}));
            InvalidPairException e = assertThrows(InvalidPairException.class, () -> pool.score(pairs, false));
            assertTrue(e.getMessage().contains("pair 77"), e.getMessage());
            assertEquals(0, pool.stats().moved());
        }
    }

    @Test
    void aReplicaWhoseCheckpointFailsToLoadFailsTheCallAtOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String name = InProcessServerBuilder.generateName();
        Server broken = InProcessReplica.start(name, new ReferenceServiceGrpc.ReferenceServiceImplBase() {
            @Override
            public void score(ScoreRequest request, StreamObserver<ScoreResponse> response) {
                calls.incrementAndGet();
                response.onError(Status.FAILED_PRECONDITION.withDescription(
                        "cannot load the reference checkpoint /models/ref: no weights").asException());
            }
        });
        try (ReferencePool pool = new ReferencePool(List.of(new ReplicaChannel("broken",
                InProcessChannelBuilder.forName(name).build())), FAST)) {
            ReferenceLoadException e = assertThrows(ReferenceLoadException.class,
                    () -> pool.score(TestPairs.random(3, 1, 512, 4, 4), false));
            assertEquals("cannot load the reference checkpoint /models/ref: no weights", e.getMessage());
            assertEquals(1, calls.get(), "every replica would fail the same way: not retried");
        } finally {
            broken.shutdownNow();
        }
    }

    @Test
    void whenEveryReplicaIsDownTheCallFailsNamingThemAndTheLastError() {
        PoolOptions fewAttempts = new PoolOptions(4, 2, Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(5), Duration.ofMillis(20), 3);
        List<ReplicaChannel> nobody = List.of(
                new ReplicaChannel("gone-1", InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build()),
                new ReplicaChannel("gone-2", InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build()));
        try (ReferencePool pool = new ReferencePool(nobody, fewAttempts)) {
            ReferenceUnavailableException e = assertThrows(ReferenceUnavailableException.class,
                    () -> pool.score(TestPairs.random(2, 1, 512, 4, 4), false));
            assertTrue(e.getMessage().contains("gone-1") && e.getMessage().contains("gone-2"), e.getMessage());
            assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
        }
    }

    @Test
    @Timeout(30) // the pool used to wait forever here: fail instead of hanging the build
    void replicasAtClosedPortsFailTheCallAfterTheConfiguredAttemptsAndBackoffs() throws Exception {
        // 16 batches, two calls per replica: the calls that fail together in one outage must double the wait once
        PoolOptions options = new PoolOptions(4, 2, Duration.ofSeconds(60), Duration.ofMinutes(5),
                Duration.ofMillis(100), Duration.ofSeconds(30), 6);
        long backoffs = 100 + 200 + 400 + 800 + 1600;
        String addresses = "127.0.0.1:" + closedPort() + ",127.0.0.1:" + closedPort();
        ManualPoolClock clock = new ManualPoolClock();
        try (ReferencePool pool = ReferencePool.connect(addresses, options, InsecureChannelCredentials.create(),
                clock)) {
            ReferenceUnavailableException e = assertThrows(ReferenceUnavailableException.class,
                    () -> scoreAdvancingWhenIdle(pool, clock, TestPairs.random(64, 3, 512, 4, 4)));
            for (String address : addresses.split(",")) {
                assertTrue(e.getMessage().contains(address), e.getMessage());
            }
            assertTrue(e.getMessage().contains("failed 6 times"), e.getMessage());
            // each round of retries goes to both replicas at once, so two dead replicas wait no longer than one
            assertEquals(backoffs, TimeUnit.NANOSECONDS.toMillis(clock.nanoTime()), "the pool's time at giving up");
        }
    }

    @Test
    @Timeout(30) // the pool used to wait forever here: fail instead of hanging the build
    void aReplicaAtAClosedPortWaitsEachBackoffOnceBeforeGivingUp() throws Exception {
        PoolOptions options = new PoolOptions(4, 2, Duration.ofSeconds(60), Duration.ofMinutes(5),
                Duration.ofMillis(100), Duration.ofSeconds(30), 6);
        long backoffs = 100 + 200 + 400 + 800 + 1600;
        String address = "127.0.0.1:" + closedPort();
        ManualPoolClock clock = new ManualPoolClock();
        try (ReferencePool pool = ReferencePool.connect(address, options, InsecureChannelCredentials.create(),
                clock)) {
            ReferenceUnavailableException e = assertThrows(ReferenceUnavailableException.class,
                    () -> scoreAdvancingWhenIdle(pool, clock, TestPairs.random(64, 3, 512, 4, 4)));
            assertTrue(e.getMessage().contains(address) && e.getMessage().contains("UNAVAILABLE"), e.getMessage());
            // calls failing together used to double the wait per call: twice this sum
            assertEquals(backoffs, TimeUnit.NANOSECONDS.toMillis(clock.nanoTime()), "the pool's time at giving up");
            // the two calls out when the outage began, then the five retries of one batch
            assertEquals(7, pool.stats().replicas().get(0).failures(), pool.stats().toString());
        }
    }

    /**
     * Scores while a helper thread moves the clock to the pool's next timer whenever no call is out, so the pool
     * sees every backoff pass without the test waiting for it. It starts only once the first call is sent (read in
     * the same snapshot as the calls out): idle seen before the first dispatch, then a timer fired after it, moved
     * the time while calls were out (to a move-after timer, or past one replica's backoff before the other's
     * failures were seen), and failed these tests in CI.
     */
    private static List<PairScore> scoreAdvancingWhenIdle(ReferencePool pool, ManualPoolClock clock,
                                                          List<IndexedPair> pairs) throws InterruptedException {
        AtomicBoolean scoring = new AtomicBoolean(true);
        Thread driver = new Thread(() -> {
            while (scoring.get()) {
                PoolStats stats = pool.stats();
                if (stats.attempts() > 0 && stats.replicas().stream().allMatch(r -> r.outstanding() == 0)) {
                    clock.advanceToNextTimer();
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }, "manual-clock");
        driver.start();
        try {
            return pool.score(pairs, false);
        } finally {
            scoring.set(false);
            driver.join();
        }
    }

    /** A loopback port nobody listens on: connections to it are refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ReplicaChannel channel(String name) {
        return new ReplicaChannel(name, InProcessChannelBuilder.forName(name).build());
    }

    /**
     * Runs {@code kill} (on another thread) when the {@code n}-th Score call's request is read, and scores neither
     * that call nor any after it: the replica is dead from there on. Scoring them let answers out while a kill
     * thread started late on a busy machine.
     */
    private static ServerInterceptor killOnCall(int n, Runnable kill) {
        AtomicInteger calls = new AtomicInteger();
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                                ServerCallHandler<Q, R> next) {
                int number = call.getMethodDescriptor().getBareMethodName().equals("Score")
                        ? calls.incrementAndGet() : 0;
                ServerCall.Listener<Q> listener = next.startCall(call, headers);
                if (number < n) {
                    return listener;
                }
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                    @Override
                    public void onHalfClose() {
                        if (number == n) {
                            new Thread(kill).start();
                        }
                    }
                };
            }
        };
    }
}
