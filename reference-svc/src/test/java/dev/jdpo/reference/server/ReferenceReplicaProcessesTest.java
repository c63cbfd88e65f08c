package dev.jdpo.reference.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.TestPairs;
import dev.jdpo.reference.TinyReference;
import dev.jdpo.reference.pool.PoolOptions;
import dev.jdpo.reference.pool.PoolStats;
import dev.jdpo.reference.pool.ReferencePool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three replicas as separate JVMs (ReferenceServerMain), one killed with SIGKILL while the pool is scoring. */
class ReferenceReplicaProcessesTest {

    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path caches;

    @AfterEach
    void stopReplicas() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKilledReplicaProcessLosesNoPair() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(startReplica(i));
        }
        List<IndexedPair> pairs = TestPairs.random(160, 123, 512, 20, 20);
        PoolOptions options = new PoolOptions(4, 2, Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofMillis(50), Duration.ofMillis(500), 8);
        String addresses = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1) + ",127.0.0.1:" + ports.get(2);
        try (ReferencePool pool = ReferencePool.connect(addresses, options)) {
            CompletableFuture<List<PairScore>> run = CompletableFuture.supplyAsync(() -> pool.score(pairs, false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pool.stats().batchesCompleted() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            processes.get(1).destroyForcibly();
            List<PairScore> scores = run.get(120, TimeUnit.SECONDS);

            List<PairScore> local = TinyReference.scorer().score(pairs, false);
            assertEquals(pairs.size(), scores.size());
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(pairs.get(i).index(), scores.get(i).index());
                assertEquals(local.get(i).logProbs().chosenLogp(), scores.get(i).logProbs().chosenLogp(), 1e-6);
                assertEquals(local.get(i).logProbs().rejectedLogp(), scores.get(i).logProbs().rejectedLogp(), 1e-6);
            }
            PoolStats stats = pool.stats();
            assertEquals(40, stats.batchesCompleted(), "each batch delivered once: " + stats);
            assertTrue(stats.replicas().get(1).failures() >= 1, stats.toString());
        }
    }

    /** Starts a replica JVM on a free port and returns the port it printed. */
    private int startReplica(int i) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Xss4m", "-Xmx512m"));
        // libtorch's thread count changes the last bits of a sum, so the replicas run as this JVM does
        for (String threads : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
            if (System.getProperty(threads) != null) {
                command.add("-D" + threads + "=" + System.getProperty(threads));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ReferenceServerMain.class.getName(),
                "--model", TestPairs.tinyReference().toString(), "--port", "0",
                "--cache", caches.resolve("replica-" + i).toString(), "--replica-id", "replica-" + i));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process process = builder.start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(ReferenceServerMain.READY_LINE)) {
                // keep draining so the replica never blocks on a full pipe
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
            }
            seen.add(line);
        }
        throw new IllegalStateException("replica " + i + " exited before serving: " + String.join("\n", seen));
    }
}
