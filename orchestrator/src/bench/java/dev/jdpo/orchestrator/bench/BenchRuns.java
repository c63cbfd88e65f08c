package dev.jdpo.orchestrator.bench;

import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;

/** What the orchestrator benchmarks share: running a run to success over RunService, medians, free ports. */
final class BenchRuns {

    private BenchRuns() {
    }

    /** Creates a run, follows its events to the end and returns it; anything but success is an error. */
    static Run runToSuccess(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config) {
        Run run = stub.createRun(CreateRunRequest.newBuilder().setConfig(config).build());
        stub.watchRun(WatchRunRequest.newBuilder().setRunId(run.getId()).build()).forEachRemaining(event -> { });
        Run done = stub.getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
        if (done.getStatus() != RunStatus.RUN_STATUS_SUCCEEDED) {
            throw new IllegalStateException("run " + run.getId() + " ended " + done.getStatus() + ": "
                    + done.getError().getMessage());
        }
        return done;
    }

    /** Seconds the client waited for {@link #runToSuccess}. */
    static double wallSeconds(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config) {
        long start = System.nanoTime();
        runToSuccess(stub, config);
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
