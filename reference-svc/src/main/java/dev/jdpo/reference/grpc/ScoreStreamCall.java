package dev.jdpo.reference.grpc;

import dev.jdpo.proto.internal.v1.ScoredPair;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.ReferencedPair;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One {@code ScoreStream} call. Inbound: automatic requests are off; the call asks for pairs only while fewer than
 * {@code windowPairs} are received but unanswered, so a client that stops reading stops being read. Pairs gather
 * into chunks (full, or after the linger time, or at half-close) that are scored one after another, which keeps the
 * answers in arrival order. Outbound: answers wait in an outbox that is drained only while the transport is ready.
 * All state is guarded by {@code this}; gRPC callbacks and scoring completions both take the lock.
 */
final class ScoreStreamCall implements StreamObserver<TokenizedPair> {

    private final ServerCallStreamObserver<ScoredPair> out;
    private final Function<List<TokenizedPair>, List<PairScore>> scorer;
    private final StreamSettings settings;
    private final Executor scoring;
    private final ScheduledExecutorService timer;

    private final List<TokenizedPair> pending = new ArrayList<>();
    private final ArrayDeque<ScoredPair> outbox = new ArrayDeque<>();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> lingerFlush;
    private long requested;
    private long sent;
    private int chunksInFlight;
    private boolean inputDone;
    private boolean closed;

    ScoreStreamCall(ServerCallStreamObserver<ScoredPair> out, Function<List<TokenizedPair>, List<PairScore>> scorer,
                    StreamSettings settings, Executor scoring, ScheduledExecutorService timer) {
        this.out = out;
        this.scorer = scorer;
        this.settings = settings;
        this.scoring = scoring;
        this.timer = timer;
    }

    synchronized void start() {
        out.disableAutoRequest();
        out.setOnReadyHandler(this::drain);
        out.setOnCancelHandler(this::cancelled);
        requestMore();
    }

    @Override
    public synchronized void onNext(TokenizedPair pair) {
        if (closed) {
            return;
        }
        pending.add(pair);
        if (pending.size() >= settings.chunkPairs()) {
            flush();
        } else if (lingerFlush == null) {
            lingerFlush = timer.schedule(this::lingerExpired, settings.linger().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public synchronized void onError(Throwable t) {
        cancelled();
    }

    @Override
    public synchronized void onCompleted() {
        inputDone = true;
        if (!pending.isEmpty()) {
            flush();
        }
        finishIfDone();
    }

    private synchronized void lingerExpired() {
        lingerFlush = null;
        if (!closed && !pending.isEmpty()) {
            flush();
        }
    }

    private void flush() {
        if (lingerFlush != null) {
            lingerFlush.cancel(false);
            lingerFlush = null;
        }
        List<TokenizedPair> chunk = List.copyOf(pending);
        pending.clear();
        chunksInFlight++;
        // chained, so chunk k+1 is scored (and answered) only after chunk k
        tail = tail.thenRunAsync(() -> scoreChunk(chunk), scoring);
    }

    private void scoreChunk(List<TokenizedPair> chunk) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        List<PairScore> scores;
        try {
            scores = scorer.apply(chunk);
        } catch (RuntimeException e) {
            fail(ReferenceServiceEndpoint.statusOf(e));
            return;
        }
        synchronized (this) {
            for (int i = 0; i < chunk.size(); i++) {
                outbox.add(new ReferencedPair(chunk.get(i), scores.get(i)).toProto());
            }
            chunksInFlight--;
            drain();
        }
    }

    private synchronized void drain() {
        if (closed) {
            return;
        }
        while (out.isReady() && !outbox.isEmpty()) {
            out.onNext(outbox.poll());
            sent++;
        }
        requestMore();
        finishIfDone();
    }

    /** Asks the client for as many pairs as keep (requested - answered) at the window. */
    private void requestMore() {
        long room = settings.windowPairs() - (requested - sent);
        if (!inputDone && room > 0) {
            requested += room;
            out.request((int) room);
        }
    }

    private void finishIfDone() {
        if (!closed && inputDone && pending.isEmpty() && chunksInFlight == 0 && outbox.isEmpty()) {
            closed = true;
            out.onCompleted();
        }
    }

    private synchronized void fail(Status status) {
        if (!closed) {
            closed = true;
            out.onError(status.asException());
        }
    }

    private synchronized void cancelled() {
        closed = true;
        if (lingerFlush != null) {
            lingerFlush.cancel(false);
        }
    }
}
