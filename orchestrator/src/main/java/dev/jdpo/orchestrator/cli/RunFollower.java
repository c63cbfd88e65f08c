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

    RunFollower(ServerAddress server, PrintWriter out, boolean json) {
        this.server = server;
        this.out = out;
        this.printer = new EventPrinter(out, json);
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
        if (run.getStatus() == RunStatus.RUN_STATUS_SUCCEEDED) {
            out.println("run " + run.getId() + " succeeded; model in " + run.getResultModelDir());
            out.flush();
            return 0;
        }
        String why = run.hasError() ? ": " + run.getError().getMessage() : "";
        out.println("run " + run.getId() + " " + RunStatuses.shortName(run.getStatus()) + why);
        out.flush();
        return 1;
    }
}
