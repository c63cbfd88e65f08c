package dev.jdpo.orchestrator.bench;

import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the orchestrator benchmarks share: running a run to success over RunService, medians, free ports. */
final class BenchRuns {

    private BenchRuns() {
    }

    /** Creates a run, follows its events to the end and returns it; anything but success is an error. */
    static Run runToSuccess(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config) {
        return runToSuccess(stub, config, new ArrayList<>());
    }

    /** As {@link #runToSuccess(RunServiceGrpc.RunServiceBlockingStub, RunConfig)}, adding its events to {@code events}. */
    static Run runToSuccess(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config, List<RunEvent> events) {
        Run run = stub.createRun(CreateRunRequest.newBuilder().setConfig(config).build());
        stub.watchRun(WatchRunRequest.newBuilder().setRunId(run.getId()).build()).forEachRemaining(events::add);
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

    /** A protobuf timestamp in seconds. */
    static double seconds(com.google.protobuf.Timestamp t) {
        return t.getSeconds() + t.getNanos() / 1e9;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts {@code jdpo serve SERVICE OPTIONS} on a JVM of its own (logging to WORK/SERVICE.log, with
     * {@code jvmFlags}) and waits for its ready line.
     */
    static Process serve(Path work, List<String> jvmFlags, String service, String readyLine, String... options)
            throws Exception {
        List<String> command = new ArrayList<>();
        // bench/streaming-overlap.sh pins the reference to its own core this way
        String cpus = System.getenv("REFERENCE_CPUS");
        if (cpus != null && !cpus.isBlank()) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx2g", "-Xss4m", "-Dai.djl.offline=true"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.jdpo.orchestrator.cli.JdpoCli",
                "serve", service));
        command.addAll(List.of(options));
        Path log = work.resolve(service + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains(readyLine)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(service + " did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return process;
    }
}
