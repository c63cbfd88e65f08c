package dev.jdpo.trainer.bench;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.TrainingListener;
import dev.jdpo.trainer.run.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Resident memory of a long DPO run on the tiny Llama: trains {@code steps} optimizer steps (checkpointing every
 * 500 and keeping one), reads VmRSS from /proc/self/status every 100 steps, and reports the growth after warm-up.
 * Args: repo root, steps (default 2000), warm-up steps (default 300).
 */
public final class TrainMemoryBenchmark {

    private TrainMemoryBenchmark() { }

    /** The pairs with the reference's sums attached (uncached; the run needs them once). */
    private static List<TrainingPair> withReference(CausalLM reference, List<TrainingPair> pairs) {
        List<TokenSequence> sequences = new ArrayList<>();
        pairs.forEach(pair -> sequences.add(pair.tokens().chosen()));
        pairs.forEach(pair -> sequences.add(pair.tokens().rejected()));
        List<SequenceScore> scores = new SequenceScorer(reference, 0).score(sequences, 16, false);
        List<TrainingPair> scored = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            SequenceScore chosen = scores.get(i);
            SequenceScore rejected = scores.get(pairs.size() + i);
            scored.add(new TrainingPair(pairs.get(i).tokens(), new PairLogProbs(chosen.logp(), rejected.logp(),
                    chosen.tokens(), rejected.tokens(), null, null)));
        }
        return scored;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        List<TrainingPair> pairs = syntheticPairs(64, 5);
        try (CausalLM reference = CausalLM.load(root.resolve("examples/tiny-llama-ref"), LoadOptions.cpu())) {
            pairs = withReference(reference, pairs);
        }
        TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("sigmoid", "sft"))
                .lossWeights(List.of(1.0, 0.1)).learningRate(1e-4).scheduler(SchedulerType.COSINE).warmupSteps(50)
                .batchSize(4).gradientAccumulationSteps(2).maxSteps(steps).saveSteps(500).saveTotalLimit(1)
                .loggingSteps(100).build();
        Path output = Files.createTempDirectory("jdpo-train-memory");
        List<long[]> samples = new ArrayList<>();
        List<Double> stepMillis = new ArrayList<>();
        samples.add(new long[] {0, rssKiB()});
        try (CausalLM policy = CausalLM.load(root.resolve("examples/tiny-llama"), LoadOptions.trainableCpu());
             TrainingRun run = TrainingRun.start(policy, 0, pairs, config,
                     new TrainingRun.Output(output, SaveOptions.defaults()))) {
            run.run(new TrainingListener() {
                @Override
                public void onStep(StepResult result, int total) throws IOException {
                    int step = result.metrics().step();
                    stepMillis.add(result.metrics().seconds() * 1000);
                    if (step % 100 == 0) {
                        long rss = rssKiB();
                        samples.add(new long[] {step, rss});
                        System.out.printf(Locale.ROOT, "step %5d  rss %7.1f MiB  loss %.4f%n", step, rss / 1024.0,
                                result.metrics().loss());
                    }
                }
            });
        }
        report(samples, stepMillis, warmup);
    }

    private static void report(List<long[]> samples, List<Double> stepMillis, int warmup) {
        long base = samples.stream().filter(s -> s[0] >= warmup).findFirst().orElseThrow()[1];
        long last = samples.get(samples.size() - 1)[1];
        long max = samples.stream().filter(s -> s[0] >= warmup).mapToLong(s -> s[1]).max().orElseThrow();
        double[] millis = stepMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "rss at start %.1f MiB; after warm-up (step %d) %.1f MiB; max after "
                        + "warm-up %.1f MiB; last %.1f MiB%n", samples.get(0)[1] / 1024.0, warmup, base / 1024.0,
                max / 1024.0, last / 1024.0);
        System.out.printf(Locale.ROOT, "growth after warm-up: last %+.2f%%, max %+.2f%%, slope %+.3f MiB per 1000 "
                        + "steps (limit 5%%)%n", 100.0 * (last - base) / base, 100.0 * (max - base) / base,
                slopeKiBPerStep(samples, warmup) * 1000 / 1024.0);
        System.out.printf(Locale.ROOT, "step time median %.2f ms (p10 %.2f, p90 %.2f) over %d steps%n",
                millis[millis.length / 2], millis[millis.length / 10], millis[millis.length * 9 / 10], millis.length);
        System.out.println((max - base) <= 0.05 * base ? "FLAT" : "GROWING");
    }

    /** Least-squares slope of RSS over the samples after warm-up. */
    private static double slopeKiBPerStep(List<long[]> samples, int warmup) {
        long[][] kept = samples.stream().filter(s -> s[0] >= warmup).toArray(long[][]::new);
        double meanX = Arrays.stream(kept).mapToDouble(s -> s[0]).average().orElse(0);
        double meanY = Arrays.stream(kept).mapToDouble(s -> s[1]).average().orElse(0);
        double num = 0;
        double den = 0;
        for (long[] s : kept) {
            num += (s[0] - meanX) * (s[1] - meanY);
            den += (s[0] - meanX) * (s[0] - meanX);
        }
        return den == 0 ? 0 : num / den;
    }

    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static List<TrainingPair> syntheticPairs(int count, long seed) {
        Random random = new Random(seed);
        List<TrainingPair> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pairs.add(new TrainingPair(new PairTokens(ids(random, 8 + random.nextInt(24)),
                    ids(random, 4 + random.nextInt(28)), ids(random, 4 + random.nextInt(28))), null));
        }
        return pairs;
    }

    private static int[] ids(Random random, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + random.nextInt(500);
        }
        return ids;
    }
}
