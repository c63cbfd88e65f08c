package dev.jdpo.orchestrator.api;

import dev.jdpo.orchestrator.run.EventLog;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.run.RunNotFoundException;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One WatchRun stream. It pulls events from the log past its cursor, a page at a time, and sends only while
 * the transport is ready, so a slow client holds at most one page here and never slows the run: appends
 * merely wake it. Replay and live delivery are the same loop, hence no gap and no duplicate between them.
 */
final class RunWatcher {

    static final int PAGE_SIZE = 256;

    private final String runId;
    private final ServerCallStreamObserver<RunEvent> call;
    private final RunManager runs;
    private final EventLog log;
    private final Executor drainExecutor;
    /** Pending wake-ups; the thread that moves it from 0 drains until it falls back to 0 (one drainer at a time). */
    private final AtomicInteger wakeUps = new AtomicInteger();
    private final ArrayDeque<RunEvent> page = new ArrayDeque<>();
    private long cursor;
    private volatile boolean done;
    private EventLog.Subscription subscription;

    RunWatcher(String runId, long afterSequence, ServerCallStreamObserver<RunEvent> call, RunManager runs,
               Executor drainExecutor) {
        this.runId = runId;
        this.cursor = afterSequence;
        this.call = call;
        this.runs = runs;
        this.log = runs.events();
        this.drainExecutor = drainExecutor;
    }

    /** Registers the stream's callbacks; must run inside the RPC method, before it returns. */
    void start() {
        call.setOnCancelHandler(this::unsubscribe);
        call.setOnReadyHandler(this::wakeUp);
        subscription = log.subscribe(runId, this::wakeUp);
        wakeUp();
    }

    private void wakeUp() {
        if (wakeUps.getAndIncrement() == 0) {
            drainExecutor.execute(this::drainUntilQuiet);
        }
    }

    private void drainUntilQuiet() {
        int seen = 1;
        do {
            try {
                drain();
            } catch (Exception failed) {
                if (!done) {
                    unsubscribe();
                    call.onError(ApiErrors.toStatus(failed));
                }
            }
            seen = wakeUps.addAndGet(-seen);
        } while (seen != 0);
    }

    private void drain() throws RunNotFoundException {
        while (!done && call.isReady()) {
            if (page.isEmpty()) {
                page.addAll(log.readAfter(runId, cursor, PAGE_SIZE));
                if (page.isEmpty()) {
                    if (finished()) {
                        complete();
                    }
                    return;
                }
            }
            RunEvent event = page.poll();
            call.onNext(event);
            cursor = event.getSequence();
            if (event.hasStatusChange() && RunStatuses.isTerminal(event.getStatusChange().getStatus())) {
                complete();
            }
        }
    }

    /** The run is over and the cursor has passed its last event (the terminal one is always last). */
    private boolean finished() throws RunNotFoundException {
        Run run = runs.get(runId);
        return RunStatuses.isTerminal(run.getStatus()) && cursor >= run.getLastSequence();
    }

    private void complete() {
        unsubscribe();
        call.onCompleted();
    }

    private void unsubscribe() {
        done = true;
        if (subscription != null) {
            subscription.close();
        }
    }
}
