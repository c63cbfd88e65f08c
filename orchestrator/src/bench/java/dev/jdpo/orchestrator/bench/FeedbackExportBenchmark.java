package dev.jdpo.orchestrator.bench;

import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportPairsResponse;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.UserChoice;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory of an orchestrator process while ExportPairs streams 10,000 and then 100,000 pairs: its resident set and
 * heap sampled every 100 ms, and its live heap (after a full GC) before the export, in the middle (while the client
 * stops reading for 3 s, so flow control must hold the server back) and after. The orchestrator runs in its own JVM
 * with a small heap, filled over gRPC with user choices among 101 completions (100 pairs each).
 * Arguments: REPO [PAIRS (100000)] [SERVER_XMX (256m)].
 */
public final class FeedbackExportBenchmark {

    private static final int COMPLETIONS = 101;

    private FeedbackExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        String xmx = args.length > 2 ? args[2] : "256m";
        Path work = Files.createTempDirectory("jdpo-feedback-bench");
        int port = BenchRuns.freePort();
        int metricsPort = BenchRuns.freePort();
        Process server = serve(work, port, metricsPort, xmx);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            FeedbackServiceGrpc.FeedbackServiceBlockingStub stub = FeedbackServiceGrpc.newBlockingStub(channel);
            long start = System.nanoTime();
            fill(stub, "small", pairs / 10);
            fill(stub, "large", pairs);
            System.out.printf(Locale.ROOT, "filled %d + %d pairs in %.1f s; orchestrator -Xmx%s%n", pairs / 10, pairs,
                    (System.nanoTime() - start) / 1e9, xmx);
            Sampler sampler = new Sampler(server.pid(), metricsPort);
            System.out.println("| pairs exported | seconds | pairs/s | live heap before | live heap at half "
                    + "(client paused) | live heap after | peak heap used | RSS before | peak RSS |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            export(FeedbackServiceGrpc.newBlockingStub(channel), "small", pairs / 20, sampler);
            export(FeedbackServiceGrpc.newBlockingStub(channel), "large", pairs / 2, sampler);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void fill(FeedbackServiceGrpc.FeedbackServiceBlockingStub stub, String task, int pairs) {
        for (int r = 0; r < pairs / (COMPLETIONS - 1); r++) {
            LogCompletionRequest.Builder request = LogCompletionRequest.newBuilder().setModel("bench").setTask(task)
                    .addMessages(FeedbackMessage.newBuilder().setRole("user")
                            .setContent("Question " + r + " of " + task + ": explain why the sky looks blue."));
            for (int c = 0; c < COMPLETIONS; c++) {
                request.addCompletions("Answer " + c + " to question " + r + ": sunlight scatters off air molecules, "
                        + "and shorter (blue) wavelengths scatter the most, so the sky looks blue. ".repeat(2));
            }
            LogCompletionResponse logged = stub.logCompletion(request.build());
            stub.recordFeedback(RecordFeedbackRequest.newBuilder().setUserChoice(UserChoice.newBuilder()
                    .setChosenCompletionId(logged.getCompletionIds(0))).build());
        }
    }

    private static void export(FeedbackServiceGrpc.FeedbackServiceBlockingStub stub, String task, long half,
                               Sampler sampler) throws Exception {
        long liveBefore = sampler.liveHeap();
        long rssBefore = sampler.rss();
        sampler.start();
        long start = System.nanoTime();
        long count = 0;
        long expected = -1;
        long liveAtHalf = 0;
        Iterator<ExportPairsResponse> stream = stub.exportPairs(ExportPairsRequest.newBuilder().setTask(task).build());
        while (stream.hasNext()) {
            ExportPairsResponse item = stream.next();
            if (item.hasPair()) {
                count++;
                if (count == half) {
                    Thread.sleep(3_000);
                    liveAtHalf = sampler.liveHeap();
                }
            } else {
                expected = item.getSummary().getPairs();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.stop();
        if (count != expected) {
            throw new IllegalStateException("streamed " + count + " pairs, summary says " + expected);
        }
        System.out.printf(Locale.ROOT, "| %,d | %.1f | %,.0f | %s | %s | %s | %s | %s | %s |%n", count, seconds,
                count / seconds, mib(liveBefore), mib(liveAtHalf), mib(sampler.liveHeap()), mib(sampler.peakHeap()),
                mib(rssBefore), mib(sampler.peakRss()));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    private static Process serve(Path work, int port, int metricsPort, String xmx) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "dev.jdpo.orchestrator.cli.JdpoCli", "serve", "orchestrator", "--port", String.valueOf(port),
                "--metrics-port", String.valueOf(metricsPort), "--state-dir", work.resolve("state").toString());
        Path log = work.resolve("orchestrator.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("jdpo orchestrator listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the orchestrator did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return process;
    }

    /** The server's RSS (/proc) and heap in use (its /metrics), polled on a thread while an export runs. */
    private static final class Sampler {

        private final long pid;
        private final URI metrics;
        private final HttpClient http = HttpClient.newHttpClient();
        private final AtomicLong peakRss = new AtomicLong();
        private final AtomicLong peakHeap = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;

        Sampler(long pid, int metricsPort) {
            this.pid = pid;
            this.metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        }

        void start() {
            peakRss.set(0);
            peakHeap.set(0);
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        peakRss.accumulateAndGet(rss(), Math::max);
                        peakHeap.accumulateAndGet(heapUsed(), Math::max);
                        Thread.sleep(100);
                    } catch (Exception stopped) {
                        return;
                    }
                }
            });
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        long peakRss() {
            return peakRss.get();
        }

        long peakHeap() {
            return peakHeap.get();
        }

        long rss() throws Exception {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS for " + pid);
        }

        /** Heap in use right after a full GC the benchmark asks for (jcmd GC.run): what the server keeps live. */
        long liveHeap() throws Exception {
            Process gc = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(60, TimeUnit.SECONDS);
            return heapUsed();
        }

        long heapUsed() throws Exception {
            String body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            return body.lines().filter(line -> line.startsWith("jvm_memory_used_bytes{area=\"heap\"}"))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no heap gauge in /metrics"));
        }
    }
}
