package dev.jdpo.reference.pool;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.jdpo.host.HostSettings;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.ReferenceServiceGrpc;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.ScoreResponse;
import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.InvalidPairException;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.PairScorer;
import dev.jdpo.reference.ReferenceLoadException;
import dev.jdpo.reference.grpc.ProtoScores;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of several reference replicas. A score call is cut into length-sorted batches of {@code pairsPerCall},
 * each sent as one unary Score call to the replica with the fewest calls outstanding. A batch whose call fails
 * (UNAVAILABLE, INTERNAL, a deadline...) moves to another replica, and so does one that stays unanswered past
 * {@code moveAfter} (the slow call is left running; the first answer wins and a late one is dropped). A replica
 * that failed gets no calls during a doubling backoff, then one call on probation. Every pair is delivered exactly
 * once, in request order, whatever the number of replicas.
 *
 * <p>All scheduling state lives on one event-loop thread, so it needs no locks; callers block on a future.
 */
public final class ReferencePool implements PairScorer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReferencePool.class);

    private final List<Replica> replicas;
    private final PoolOptions options;
    private final PoolClock clock;
    private final ScheduledExecutorService loop;
    // below: touched on the loop thread only
    private final ArrayDeque<BatchTask> pending = new ArrayDeque<>();
    private final List<ScoreRun> running = new ArrayList<>();
    private Future<?> wakeUp;
    private long wakeUpAtNanos;
    private boolean closed;
    private long batchesCompleted;
    private long attempts;
    private long moved;
    private long lateAnswersDropped;

    public ReferencePool(List<ReplicaChannel> channels, PoolOptions options) {
        this(channels, options, PoolClock.SYSTEM);
    }

    /** @param clock the time backoffs and the move-after timer are measured in */
    public ReferencePool(List<ReplicaChannel> channels, PoolOptions options, PoolClock clock) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("a reference pool needs at least one replica");
        }
        this.replicas = channels.stream().map(Replica::new).toList();
        this.options = options;
        this.clock = clock;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reference-pool");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects (plaintext) to {@code host:port,host:port...}; a name with several addresses gives several replicas. */
    public static ReferencePool connect(String addresses, PoolOptions options) throws UnknownHostException {
        return connect(addresses, options, InsecureChannelCredentials.create(), PoolClock.SYSTEM);
    }

    /** Connects to {@code host:port,host:port...} with {@code credentials} (TLS or plaintext). */
    public static ReferencePool connect(String addresses, PoolOptions options, ChannelCredentials credentials)
            throws UnknownHostException {
        return connect(addresses, options, credentials, PoolClock.SYSTEM);
    }

    /** As {@link #connect(String, PoolOptions, ChannelCredentials)}, measuring backoffs on {@code clock}. */
    public static ReferencePool connect(String addresses, PoolOptions options, ChannelCredentials credentials,
                                        PoolClock clock) throws UnknownHostException {
        List<ReplicaChannel> channels = new ArrayList<>();
        for (InetSocketAddress a : ReplicaAddresses.resolve(addresses)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress(a, credentials)
                    .maxInboundMessageSize(HostSettings.PAIR_MESSAGE_BYTES).build();
            channels.add(new ReplicaChannel(a.getHostString() + ":" + a.getPort(), channel));
        }
        return new ReferencePool(channels, options, clock);
    }

    @Override
    public List<PairScore> score(List<IndexedPair> pairs, boolean perToken) {
        if (pairs.isEmpty()) {
            return List.of();
        }
        ScoreRun run = new ScoreRun(pairs, perToken);
        List<BatchTask> tasks = plan(run);
        run.tasks = tasks;
        run.remainingBatches = tasks.size();
        onLoop(() -> {
            if (closed) {
                run.result.completeExceptionally(new IllegalStateException("the reference pool is closed"));
                return;
            }
            running.add(run);
            tasks.forEach(t -> {
                t.queued = true;
                pending.addLast(t);
            });
            dispatch();
        });
        try {
            return run.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onLoop(() -> failRun(run, new IllegalStateException("interrupted while waiting for reference scores")));
            throw new IllegalStateException("interrupted while waiting for reference scores", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Counters since creation, all read at one instant of the loop. */
    public PoolStats stats() {
        return onLoopAndWait(() -> {
            long now = clock.nanoTime();
            List<ReplicaStats> perReplica = replicas.stream().map(r -> new ReplicaStats(r.name(), r.batchesAnswered,
                    r.failures, r.outstanding, r.availableAt(now))).toList();
            return new PoolStats(batchesCompleted, attempts, moved, lateAnswersDropped, perReplica);
        });
    }

    /** Fails calls still waiting, and shuts the channels down; closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (loop.isShutdown()) {
            return;
        }
        onLoopAndWait(() -> {
            closed = true;
            for (ScoreRun run : List.copyOf(running)) {
                failRun(run, new IllegalStateException("the reference pool was closed"));
            }
            return null;
        });
        loop.shutdown();
        for (Replica r : replicas) {
            r.channel.channel().shutdownNow();
        }
    }

    /** Batches of similar length, longest first; each remembers which request positions it covers. */
    private List<BatchTask> plan(ScoreRun run) {
        List<IndexedPair> pairs = run.pairs;
        Integer[] order = new Integer[pairs.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> length(pairs.get(i).tokens())).reversed());
        List<BatchTask> tasks = new ArrayList<>();
        for (int from = 0; from < order.length; from += options.pairsPerCall()) {
            int to = Math.min(order.length, from + options.pairsPerCall());
            int[] positions = new int[to - from];
            ScoreRequest.Builder request = ScoreRequest.newBuilder().setPerToken(run.perToken);
            for (int k = from; k < to; k++) {
                positions[k - from] = order[k];
                request.addPairs(ProtoScores.toProto(pairs.get(order[k])));
            }
            tasks.add(new BatchTask(run, positions, request.build()));
        }
        return tasks;
    }

    private static int length(PairTokens p) {
        return p.promptIds().length + Math.max(p.chosenIds().length, p.rejectedIds().length);
    }

    /** Places as many waiting batches as replicas can take, then sleeps until a backoff ends if some must wait. */
    private void dispatch() {
        long now = clock.nanoTime();
        for (Iterator<BatchTask> it = pending.iterator(); it.hasNext(); ) {
            BatchTask task = it.next();
            if (task.done || task.run.failed) {
                it.remove();
                task.queued = false;
                continue;
            }
            Replica replica = pick(task, now);
            if (replica == null) {
                if (replicas.stream().noneMatch(r -> r.hasRoom(options.callsPerReplica(), now))) {
                    break;
                }
                continue;
            }
            it.remove();
            task.queued = false;
            send(task, replica);
        }
        if (!pending.isEmpty()) {
            scheduleWakeUp(now);
        }
    }

    /** The least loaded available replica not already working on this batch; null when none. */
    private Replica pick(BatchTask task, long now) {
        Replica best = null;
        for (Replica r : replicas) {
            if (!r.hasRoom(options.callsPerReplica(), now) || task.isRunningOn(r)) {
                continue;
            }
            if (best == null || r.outstanding < best.outstanding
                    || (r.outstanding == best.outstanding && r.lastSentNanos < best.lastSentNanos)) {
                best = r;
            }
        }
        return best;
    }

    private void scheduleWakeUp(long now) {
        long earliest = Long.MAX_VALUE;
        for (Replica r : replicas) {
            if (!r.availableAt(now)) {
                earliest = Math.min(earliest, r.retryAtNanos - now);
            }
        }
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        // a pending wake-up that comes early enough is kept; one due later than needed is brought forward
        if (wakeUp != null && wakeUpAtNanos - now <= earliest) {
            return;
        }
        if (wakeUp != null) {
            wakeUp.cancel(false);
        }
        wakeUpAtNanos = now + Math.max(earliest, 0);
        wakeUp = clock.schedule(loop, guarded(this::wakeUp), Math.max(earliest, 0));
    }

    /**
     * Forgets the wake-up that is running before dispatching, so a dispatch that still finds every replica in
     * backoff (a failure that came in since lengthened it) schedules the next one; keeping it made that dispatch
     * think a wake-up was pending, and the batches waited forever.
     */
    private void wakeUp() {
        wakeUp = null;
        dispatch();
    }

    private void send(BatchTask task, Replica replica) {
        task.attempts++;
        attempts++;
        replica.outstanding++;
        replica.lastSentNanos = clock.nanoTime();
        Attempt attempt = new Attempt(task, replica, replica.lastSentNanos);
        task.live.add(attempt);
        attempt.future = ReferenceServiceGrpc.newFutureStub(replica.channel.channel())
                .withDeadlineAfter(options.callDeadline().toNanos(), TimeUnit.NANOSECONDS)
                .score(task.request);
        attempt.moveTimer = clock.schedule(loop, guarded(() -> tooSlow(attempt)), options.moveAfter().toNanos());
        Futures.addCallback(attempt.future, new FutureCallback<>() {
            @Override
            public void onSuccess(ScoreResponse response) {
                guarded(() -> answered(attempt, response)).run();
            }

            @Override
            public void onFailure(Throwable error) {
                guarded(() -> failed(attempt, Status.fromThrowable(error))).run();
            }
        }, loop);
    }

    private void answered(Attempt attempt, ScoreResponse response) {
        finish(attempt);
        BatchTask task = attempt.task;
        String malformed = malformed(task, response);
        if (malformed != null) {
            failed(attempt, Status.INTERNAL.withDescription(malformed));
            return;
        }
        attempt.replica.answered();
        if (task.done || task.run.failed) {
            lateAnswersDropped++;
        } else {
            task.done = true;
            task.cancelOthers(attempt);
            batchesCompleted++;
            deliver(task, response);
        }
        dispatch();
    }

    private void failed(Attempt attempt, Status status) {
        finish(attempt);
        BatchTask task = attempt.task;
        if (task.done || task.run.failed) {
            dispatch();
            return;
        }
        if (status.getCode() == Status.Code.FAILED_PRECONDITION) {
            failRun(task.run, new ReferenceLoadException(status.getDescription()));
            return;
        }
        if (isRequestError(status)) {
            failRun(task.run, new InvalidPairException(status.getDescription()));
            return;
        }
        if (!attempt.superseded) {
            attempt.replica.failed(options, attempt.sentNanos, clock.nanoTime());
            LOG.warn("reference replica {} failed a batch of {} pairs ({}); moving it", attempt.replica.name(),
                    task.positions.length, describe(status));
        }
        task.lastError = attempt.replica.name() + ": " + describe(status);
        requeueIfIdle(task);
        dispatch();
    }

    private void tooSlow(Attempt attempt) {
        BatchTask task = attempt.task;
        if (attempt.finished || task.done || task.run.failed) {
            return;
        }
        attempt.superseded = true;
        attempt.replica.failed(options, attempt.sentNanos, clock.nanoTime());
        task.lastError = attempt.replica.name() + ": no answer after " + options.moveAfter();
        LOG.warn("reference replica {} has not answered a batch of {} pairs after {}; sending it elsewhere too",
                attempt.replica.name(), task.positions.length, options.moveAfter());
        requeueIfIdle(task);
        dispatch();
    }

    private void finish(Attempt attempt) {
        if (!attempt.finished) {
            attempt.finished = true;
            attempt.replica.outstanding--;
            attempt.moveTimer.cancel(false);
            attempt.task.live.remove(attempt);
        }
    }

    /** Queues the batch again when no unsuperseded attempt is still running it. */
    private void requeueIfIdle(BatchTask task) {
        if (task.queued || task.live.stream().anyMatch(a -> !a.superseded)) {
            return;
        }
        if (task.attempts >= options.maxAttemptsPerBatch()) {
            failRun(task.run, new ReferenceUnavailableException("a batch of " + task.positions.length
                    + " pairs failed " + task.attempts + " times on replicas " + names() + "; last: " + task.lastError));
            return;
        }
        moved++;
        task.queued = true;
        pending.addFirst(task);
    }

    private void deliver(BatchTask task, ScoreResponse response) {
        ScoreRun run = task.run;
        for (int j = 0; j < task.positions.length; j++) {
            run.slots[task.positions[j]] = ProtoScores.fromProto(response.getScores(j), run.perToken);
        }
        if (--run.remainingBatches == 0) {
            running.remove(run);
            run.result.complete(Arrays.asList(run.slots));
        }
    }

    private void failRun(ScoreRun run, RuntimeException error) {
        if (run.failed) {
            return;
        }
        run.failed = true;
        running.remove(run);
        for (BatchTask t : run.tasks) {
            t.cancelOthers(null);
        }
        run.result.completeExceptionally(error);
    }

    private static String malformed(BatchTask task, ScoreResponse response) {
        if (response.getScoresCount() != task.positions.length) {
            return "answered " + response.getScoresCount() + " scores for " + task.positions.length + " pairs";
        }
        for (int j = 0; j < task.positions.length; j++) {
            if (response.getScores(j).getIndex() != task.request.getPairs(j).getIndex()) {
                return "answered pair " + response.getScores(j).getIndex() + " where pair "
                        + task.request.getPairs(j).getIndex() + " was asked";
            }
        }
        return null;
    }

    /** Errors in the request itself: every replica would refuse it the same way. */
    private static boolean isRequestError(Status status) {
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> true;
            default -> false;
        };
    }

    private static String describe(Status status) {
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }

    private String names() {
        return replicas.stream().map(Replica::name).toList().toString();
    }

    private void onLoop(Runnable action) {
        loop.execute(guarded(action));
    }

    /** Runs {@code action}; a bug in it fails the waiting calls instead of leaving them hanging. */
    private Runnable guarded(Runnable action) {
        return () -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.error("reference pool scheduling failed", e);
                for (ScoreRun run : List.copyOf(running)) {
                    failRun(run, new IllegalStateException("reference pool scheduling failed: " + e, e));
                }
            }
        };
    }

    private <T> T onLoopAndWait(Callable<T> action) {
        try {
            return loop.submit(action).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** One score call: its pairs, the slots their scores land in, and how many batches are still out. */
    private static final class ScoreRun {
        final List<IndexedPair> pairs;
        final boolean perToken;
        final PairScore[] slots;
        final CompletableFuture<List<PairScore>> result = new CompletableFuture<>();
        List<BatchTask> tasks = List.of();
        int remainingBatches;
        boolean failed;

        ScoreRun(List<IndexedPair> pairs, boolean perToken) {
            this.pairs = pairs;
            this.perToken = perToken;
            this.slots = new PairScore[pairs.size()];
        }
    }

    /** One batch of a run; it completes exactly once, whichever of its attempts answers first. */
    private static final class BatchTask {
        final ScoreRun run;
        final int[] positions;
        final ScoreRequest request;
        final List<Attempt> live = new ArrayList<>();
        int attempts;
        boolean queued;
        boolean done;
        String lastError = "none";

        BatchTask(ScoreRun run, int[] positions, ScoreRequest request) {
            this.run = run;
            this.positions = positions;
            this.request = request;
        }

        boolean isRunningOn(Replica r) {
            return live.stream().anyMatch(a -> a.replica == r);
        }

        /** Cancels running attempts other than {@code winner}: their answers are no longer needed. */
        void cancelOthers(Attempt winner) {
            for (Attempt a : List.copyOf(live)) {
                if (a != winner) {
                    a.future.cancel(true);
                }
            }
        }
    }

    /** One call of a batch to one replica. */
    private static final class Attempt {
        final BatchTask task;
        final Replica replica;
        final long sentNanos;
        ListenableFuture<ScoreResponse> future;
        Future<?> moveTimer;
        boolean finished;
        boolean superseded;

        Attempt(BatchTask task, Replica replica, long sentNanos) {
            this.task = task;
            this.replica = replica;
            this.sentNanos = sentNanos;
        }
    }

    /** A replica's load and health, as the loop tracks them. */
    private static final class Replica {
        final ReplicaChannel channel;
        int outstanding;
        int consecutiveFailures;
        long retryAtNanos = Long.MIN_VALUE;
        long lastSentNanos = Long.MIN_VALUE;
        long lastFailureNanos = Long.MIN_VALUE;
        long batchesAnswered;
        long failures;

        Replica(ReplicaChannel channel) {
            this.channel = channel;
        }

        String name() {
            return channel.name();
        }

        boolean availableAt(long now) {
            return retryAtNanos == Long.MIN_VALUE || now - retryAtNanos >= 0;
        }

        boolean hasRoom(int callsPerReplica, long now) {
            // a replica back from a backoff gets a single call on probation until it answers
            int cap = consecutiveFailures > 0 ? 1 : callsPerReplica;
            return availableAt(now) && outstanding < cap;
        }

        void answered() {
            batchesAnswered++;
            consecutiveFailures = 0;
            retryAtNanos = Long.MIN_VALUE;
        }

        /**
         * Records a failed call sent at {@code sentNanos}, seen {@code now}. Calls that were already out when an
         * earlier failure was recorded fail with the same outage, so they count as failures but do not double the backoff again: a dead
         * replica with two calls out would otherwise wait twice as long per retry, which stretched a run against a
         * closed port from the configured attempts x backoff to over a minute.
         */
        void failed(PoolOptions options, long sentNanos, long now) {
            failures++;
            // sent no later than the last failure was seen (the same instant on a manual clock): that same outage
            if (lastFailureNanos != Long.MIN_VALUE && sentNanos - lastFailureNanos <= 0) {
                return;
            }
            lastFailureNanos = now;
            consecutiveFailures++;
            long max = options.maxBackoff().toNanos();
            long backoff = options.initialBackoff().toNanos();
            for (int i = 1; i < consecutiveFailures && backoff < max; i++) {
                backoff *= 2;
            }
            retryAtNanos = now + Math.min(backoff, max);
        }
    }
}
