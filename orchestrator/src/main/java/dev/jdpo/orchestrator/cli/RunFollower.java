package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Shows a run's events until it ends: as a {@link ProgressView} for people, or as JSON lines (then stdout holds
 * nothing else, so every line parses). A dropped stream (an orchestrator restart) is resumed from the last
 * sequence shown, so nothing is shown twice or skipped. Exit status 0 for a succeeded run, 1 otherwise.
 */
final class RunFollower {

    private static final int RECONNECT_ATTEMPTS = 30;
    private static final long RECONNECT_PAUSE_MILLIS = 1000;

    private final Consumer<RunEvent> display;
    private final PrintWriter out;
    private final PrintWriter err;
    private final RunSummary summary = new RunSummary();
    private final boolean json;
    private boolean endShown;

    /** @param err where the JSON mode's closing outcome line goes, so stdout holds only events */
    RunFollower(PrintWriter out, PrintWriter err, boolean json) {
        this.display = json ? new EventPrinter(out, true)::print
                : new ProgressView(out, System.console() != null)::show;
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int follow(ManagedChannel channel, String runId, long afterSequence) throws InterruptedException {
        long cursor = afterSequence;
        int failures = 0;
        while (true) {
            try {
                Iterator<RunEvent> events = RunServiceGrpc.newBlockingStub(channel)
                        .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setAfterSequence(cursor).build());
                while (events.hasNext()) {
                    RunEvent event = events.next();
                    display.accept(event);
                    summary.record(event);
                    endShown |= event.hasStatusChange() && RunStatuses.isTerminal(event.getStatusChange().getStatus());
                    cursor = event.getSequence();
                    failures = 0;
                }
                return exitStatus(OrchestratorCommand.runs(channel).getRun(GetRunRequest.newBuilder().setRunId(runId).build()));
            } catch (StatusRuntimeException dropped) {
                if (dropped.getStatus().getCode() != Status.Code.UNAVAILABLE || ++failures > RECONNECT_ATTEMPTS) {
                    throw dropped;
                }
                Thread.sleep(RECONNECT_PAUSE_MILLIS);
            }
        }
    }

    /** The exit status; people get the run's summary, JSON mode the outcome on stderr unless an event showed it. */
    private int exitStatus(Run run) {
        boolean succeeded = run.getStatus() == RunStatus.RUN_STATUS_SUCCEEDED;
        if (!json) {
            summary.print(out, run);
        } else if (!endShown) {
            // stdout stays one JSON event per line for jq; the outcome goes to stderr
            String why = succeeded ? "; model in " + run.getResultModelDir()
                    : run.hasError() ? ": " + run.getError().getMessage() : "";
            err.println("run " + run.getId() + " " + RunStatuses.shortName(run.getStatus()) + why);
            err.flush();
        }
        return succeeded ? 0 : 1;
    }
}
