package dev.jdpo.orchestrator.testing;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** `jdpo serve orchestrator` as a process of its own, for tests that kill it (-9) and start another on its state. */
public final class OrchestratorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private OrchestratorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts an orchestrator on {@code port} and {@code state}, allowed to read and write under {@code dir} and the
     * repository's examples, logging to {@code dir/<name>.log}, and waits until it serves.
     *
     * @param properties extra {@code -Dkey=value} settings, e.g. {@code jdpo.continual-poll=100ms}
     */
    public static OrchestratorProcess start(Path dir, Path repo, int port, Path state, String name,
                                            String... properties) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Xss4m", "-Dai.djl.offline=true",
                // one libtorch thread, as the test JVM has: two spinning OpenMP threads crawl on a shared 2-core machine
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"));
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.jdpo.orchestrator.cli.JdpoCli",
                "serve", "orchestrator", "--port", String.valueOf(port), "--state-dir", state.toString(),
                "--allowed-root", dir.toString(), "--allowed-root", repo.resolve("examples").toString()));
        Path log = dir.resolve(name + ".log");
        OrchestratorProcess started = new OrchestratorProcess(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start(), log);
        started.awaitServing(port);
        return started;
    }

    private void awaitServing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        try (RunClient client = new RunClient(port)) {
            while (true) {
                try {
                    // without this, refused connects stretch the channel's own reconnect wait to over a minute
                    client.channel().resetConnectBackoff();
                    HealthGrpc.newBlockingStub(client.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance());
                    return;
                } catch (StatusRuntimeException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new AssertionError("orchestrator did not start:\n" + log());
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /** kill -9, and wait until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** What the process printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException unreadable) {
            return unreadable.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
