package dev.jdpo.reference.bench;

import com.google.gson.JsonObject;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.RandomInit;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.PairScorer;
import dev.jdpo.reference.ReferenceIdentity;
import dev.jdpo.reference.ReferenceModel;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.CacheKeys;
import dev.jdpo.reference.cache.ScoreCache;
import dev.jdpo.reference.pool.PoolOptions;
import dev.jdpo.reference.pool.ReferencePool;
import dev.jdpo.reference.server.ReferenceServerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reference scoring benchmark, all numbers from one run on one machine:
 * (1) a first run (every pair scored) vs a second run (every pair from the on-disk cache) over the same data;
 * (2) cache lookups per second on a filled on-disk cache;
 * (3) pairs per second through a {@link ReferencePool} of one and of two replica processes (ReferenceServerMain)
 * over loopback sockets, measured alternately. The model is a random Llama written at start (see the options).
 */
@Command(name = "reference-benchmark", mixinStandardHelpOptions = true)
public final class ReferenceBenchmark implements Callable<Integer> {

    @Option(names = "--repo", required = true, description = "Repository root (for the tokenizer.json to hash).")
    Path repo;

    @Option(names = "--pairs", defaultValue = "96", description = "Pairs per pass.")
    int pairs;

    @Option(names = "--iterations", defaultValue = "3", description = "Measured repetitions of each pass.")
    int iterations;

    @Option(names = "--cache-entries", defaultValue = "200000", description = "Entries for the lookup benchmark.")
    int cacheEntries;

    @Option(names = "--hidden", defaultValue = "256")
    int hidden;

    @Option(names = "--layers", defaultValue = "4")
    int layers;

    @Option(names = "--vocab", defaultValue = "8192")
    int vocab;

    @Option(names = "--max-batch-tokens", defaultValue = "4096", description = "Padded tokens per forward pass.")
    int maxBatchTokens;

    @Option(names = "--max-batch-rows", defaultValue = "32", description = "Sequences per forward pass.")
    int maxBatchRows;

    @Option(names = "--only", description = "Run one part: passes, lookups or replicas (default: all).")
    String only;

    @Option(names = "--replica-threads", description = "libtorch intra-op threads per replica process (default: libtorch's).")
    Integer replicaThreads;

    private static final int WARM_UP_PASSES = 2;

    private final List<Process> replicas = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReferenceBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("jdpo-reference-bench");
        try {
            Path model = work.resolve("model");
            writeRandomModel(model);
            System.out.printf("model: random Llama, hidden %d, %d layers, vocab %d, FP32 CPU; %d cores%n",
                    hidden, layers, vocab, Runtime.getRuntime().availableProcessors());
            System.out.printf("data: %d pairs per pass, prompt 32-128, completions 16-96 tokens; %d measured iterations%n",
                    pairs, iterations);
            System.out.printf("batches: at most %d padded tokens and %d rows per forward pass%n", maxBatchTokens,
                    maxBatchRows);
            if (only == null || only.equals("passes")) {
                cachePasses(model, work);
            }
            if (only == null || only.equals("lookups")) {
                cacheLookups(work.resolve("lookup-cache"));
            }
            if (only == null || only.equals("replicas")) {
                replicaThroughput(model);
            }
        } finally {
            replicas.forEach(Process::destroyForcibly);
            deleteTree(work);
        }
        return 0;
    }

    /**
     * A first run (load the reference, score every pair into a new on-disk cache) vs a second run over the same
     * pairs (reopen the cache, open the reference lazily, every pair a hit), each iteration with new pairs and a
     * new cache directory. Times cover opening the reference (fingerprint, weights) and scoring, not JVM start.
     * Two warm-up passes on a separately loaded model come first, so libtorch and the JIT are warm.
     */
    private void cachePasses(Path model, Path work) throws Exception {
        double[] first = new double[iterations];
        double[] second = new double[iterations];
        long secondForwardPasses = 0;
        boolean secondLoadedWeights = false;
        try (ScoreCache memo = ScoreCache.inMemory();
             ReferenceModel warm = ReferenceModel.load(model, null, LoadOptions.cpu(), memo, limits())) {
            for (int w = 0; w < WARM_UP_PASSES; w++) {
                warm.scorer().score(randomPairs(900 + w), false);
            }
        }
        for (int i = 0; i < iterations; i++) {
            List<IndexedPair> data = randomPairs(1000 + i);
            Path cacheDir = work.resolve("cache-" + i);
            long start = System.nanoTime();
            try (ScoreCache cache = ScoreCache.open(cacheDir);
                 ReferenceModel reference = ReferenceModel.load(model, null, LoadOptions.cpu(), cache, limits())) {
                scoreInChunks(reference.scorer(), data);
            }
            first[i] = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            try (ScoreCache cache = ScoreCache.open(cacheDir);
                 ReferenceModel reference = ReferenceModel.loadLazily(model, null, LoadOptions.cpu(), cache, limits())) {
                scoreInChunks(reference.scorer(), data);
                secondForwardPasses += reference.scorer().stats().forwardPasses();
                secondLoadedWeights |= reference.weightsLoaded();
            }
            second[i] = (System.nanoTime() - start) / 1e9;
        }
        double m1 = median(first);
        double m2 = median(second);
        System.out.printf("%n[1] first vs second run over the same %d pairs (open reference + score; on-disk cache)%n",
                pairs);
        System.out.printf("first run    median %.3f s  %.1f pairs/s  (all: %s)%n", m1, pairs / m1, Arrays.toString(round(first)));
        System.out.printf("second run   median %.4f s  %.0f pairs/s  (all: %s)%n", m2, pairs / m2, Arrays.toString(round(second)));
        System.out.printf("second/first wall time: %.4f  (second runs: %d forward passes, weights loaded: %s)%n",
                m2 / m1, secondForwardPasses, secondLoadedWeights);
    }

    /** Scores the pairs 64 at a time, as the pipeline sends them. */
    private static void scoreInChunks(PairScorer scorer, List<IndexedPair> pairs) {
        for (int from = 0; from < pairs.size(); from += 64) {
            scorer.score(pairs.subList(from, Math.min(pairs.size(), from + 64)), false);
        }
    }

    /** Random hit lookups on a filled on-disk cache. */
    private void cacheLookups(Path dir) throws Exception {
        ReferenceIdentity ref = new ReferenceIdentity("f".repeat(64), "t".repeat(64), "FP32");
        byte[][] keys = new byte[cacheEntries][];
        for (int i = 0; i < cacheEntries; i++) {
            keys[i] = CacheKeys.key(ref, new int[] {i, i + 1}, new int[] {i}, new int[] {i + 2});
        }
        double fillSeconds;
        try (ScoreCache cache = ScoreCache.open(dir)) {
            fillSeconds = seconds(() -> {
                for (int i = 0; i < cacheEntries; i++) {
                    cache.store(ref.weightsFingerprint(), keys[i], new PairLogProbs(-i, -i - 1, 40, 50, null, null));
                }
                cache.flush();
            });
        }
        double openSeconds;
        double[] lookupSeconds = new double[iterations];
        long fileBytes;
        try (ScoreCache cache = timedOpen(dir)) {
            openSeconds = lastOpenSeconds;
            Random random = new Random(5);
            int[] order = random.ints(cacheEntries, 0, cacheEntries).toArray();
            for (int r = 0; r <= iterations; r++) {
                double t = seconds(() -> {
                    for (int i : order) {
                        if (cache.lookup(ref.weightsFingerprint(), keys[i], false).isEmpty()) {
                            throw new IllegalStateException("lookup missed entry " + i);
                        }
                    }
                });
                if (r > 0) {
                    lookupSeconds[r - 1] = t;
                }
            }
            fileBytes = cache.stats().fileBytes();
        }
        double m = median(lookupSeconds);
        System.out.printf("%n[2] cache lookups: %d entries (%.1f MiB file), random hits, key precomputed%n",
                cacheEntries, fileBytes / 1048576.0);
        System.out.printf("lookups      median %.0f lookups/s  (%.3f s per %d; all: %s)%n", cacheEntries / m, m,
                cacheEntries, Arrays.toString(round(lookupSeconds)));
        System.out.printf("fill         %.0f stores/s; reopen %.3f s%n", cacheEntries / fillSeconds, openSeconds);
    }

    private double lastOpenSeconds;

    private ScoreCache timedOpen(Path dir) throws IOException {
        long start = System.nanoTime();
        ScoreCache cache = ScoreCache.open(dir);
        lastOpenSeconds = (System.nanoTime() - start) / 1e9;
        return cache;
    }

    /** Pairs/s through a pool of one replica process and of two, measured alternately. */
    private void replicaThroughput(Path model) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(startReplica(model, i));
        }
        PoolOptions options = new PoolOptions(8, 2, Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMillis(200), Duration.ofSeconds(5), 8);
        double[] one = new double[iterations];
        double[] two = new double[iterations];
        try (ReferencePool single = ReferencePool.connect("127.0.0.1:" + ports.get(0), options);
             ReferencePool pair = ReferencePool.connect("127.0.0.1:" + ports.get(1) + ",127.0.0.1:" + ports.get(2),
                     options)) {
            // replicas cache in memory: every pass uses new pairs so nothing hits
            int seed = 5000;
            for (int w = 0; w < WARM_UP_PASSES; w++) {
                single.score(randomPairs(seed++), false);
                pair.score(randomPairs(seed++), false);
            }
            for (int r = 0; r < iterations; r++) {
                List<IndexedPair> a = randomPairs(seed++);
                List<IndexedPair> b = randomPairs(seed++);
                one[r] = seconds(() -> single.score(a, false));
                two[r] = seconds(() -> pair.score(b, false));
            }
        }
        double m1 = median(one);
        double m2 = median(two);
        System.out.printf("%n[3] pool over loopback gRPC, replica processes (ReferenceServerMain, in-memory cache, %s "
                + "intra-op threads each), 8 pairs per call, 2 calls per replica%n",
                replicaThreads == null ? "default" : replicaThreads.toString());
        System.out.printf("1 replica    median %.3f s  %.1f pairs/s  (all: %s)%n", m1, pairs / m1, Arrays.toString(round(one)));
        System.out.printf("2 replicas   median %.3f s  %.1f pairs/s  (all: %s)%n", m2, pairs / m2, Arrays.toString(round(two)));
        System.out.printf("2 replicas / 1 replica throughput: %.2fx%n", m1 / m2);
    }

    private int startReplica(Path model, int i) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Xss4m", "-Xmx1g"));
        if (replicaThreads != null) {
            command.add("-Dai.djl.pytorch.num_threads=" + replicaThreads);
            command.add("-Dai.djl.pytorch.num_interop_threads=1");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ReferenceServerMain.class.getName(),
                "--model", model.toString(), "--port", "0", "--replica-id", "bench-" + i,
                "--max-batch-tokens", String.valueOf(maxBatchTokens), "--max-batch-rows", String.valueOf(maxBatchRows)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process process = builder.start();
        replicas.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(ReferenceServerMain.READY_LINE)) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
            }
        }
        throw new IllegalStateException("replica " + i + " exited before serving");
    }

    private BatchLimits limits() {
        return new BatchLimits(maxBatchTokens, maxBatchRows);
    }

    private List<IndexedPair> randomPairs(long seed) {
        Random rnd = new Random(seed);
        List<IndexedPair> out = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            int[] prompt = rnd.ints(32 + rnd.nextInt(97), 0, vocab).toArray();
            int[] chosen = rnd.ints(16 + rnd.nextInt(81), 0, vocab).toArray();
            int[] rejected = rnd.ints(16 + rnd.nextInt(81), 0, vocab).toArray();
            out.add(new IndexedPair(i, 0, new PairTokens(prompt, chosen, rejected)));
        }
        return out;
    }

    /** A random-weight Llama checkpoint; tokenizer.json is copied from the tiny fixture (it is only hashed). */
    private void writeRandomModel(Path dir) throws Exception {
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "llama");
        config.addProperty("vocab_size", vocab);
        config.addProperty("hidden_size", hidden);
        config.addProperty("intermediate_size", hidden * 8 / 3);
        config.addProperty("num_hidden_layers", layers);
        config.addProperty("num_attention_heads", 4);
        config.addProperty("num_key_value_heads", 2);
        config.addProperty("max_position_embeddings", 2048);
        config.addProperty("rms_norm_eps", 1e-5);
        config.addProperty("rope_theta", 10000.0);
        config.addProperty("torch_dtype", "float32");
        RandomInit.writeWeights(dir, config, 0);
        Files.copy(repo.resolve("examples/tiny-llama-ref/tokenizer.json"), dir.resolve("tokenizer.json"));
    }

    private static double seconds(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double[] round(double[] values) {
        return Arrays.stream(values).map(v -> Math.round(v * 10000) / 10000.0).toArray();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
