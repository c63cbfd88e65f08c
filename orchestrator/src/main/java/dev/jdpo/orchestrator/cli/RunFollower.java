package dev.jdpo.orchestrator.cli;

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

/**
 * Prints a run's events until it ends. A dropped stream (an orchestrator restart) is resumed from the last
 * sequence printed, so nothing is shown twice or skipped. Exit status 0 for a succeeded run, 1 otherwise.
 */
final class RunFollower {

    private static final int RECONNECT_ATTEMPTS = 30;
    private static final long RECONNECT_PAUSE_MILLIS = 1000;

    private final ServerAddress server;
    private final PrintWriter out;
    private final EventPrinter printer;
    private final RunSummary summary = new RunSummary();
    private final boolean json;

    RunFollower(ServerAddress server, PrintWriter out, boolean json) {
        this.server = server;
        this.out = out;
        this.printer = new EventPrinter(out, json);
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
                    printer.print(event);
                    summary.record(event);
                    cursor = event.getSequence();
                    failures = 0;
                }
                return exitStatus(server.stub(channel).getRun(GetRunRequest.newBuilder().setRunId(runId).build()));
            } catch (StatusRuntimeException dropped) {
                if (dropped.getStatus().getCode() != Status.Code.UNAVAILABLE || ++failures > RECONNECT_ATTEMPTS) {
                    throw dropped;
                }
                Thread.sleep(RECONNECT_PAUSE_MILLIS);
            }
        }
    }

    private int exitStatus(Run run) {
        if (!json) {
            // JSON output stays one event per line for jq; the run's end is its last status_change event
            summary.print(out, run);
        }
        return run.getStatus() == RunStatus.RUN_STATUS_SUCCEEDED ? 0 : 1;
    }
}
