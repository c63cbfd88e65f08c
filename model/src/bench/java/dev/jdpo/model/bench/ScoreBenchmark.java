package dev.jdpo.model.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Scoring throughput on a random Llama model (hidden 512, 8 layers, 8 heads over 4 kv heads, SwiGLU 1408,
 * vocab 32000): batches of 8 sequences of 256 tokens (64 prompt + 192 completion). Reports the median
 * tokens/s of {@link SequenceScorer} and of the full-logits path ({@link LogProbs#compute} without gradients)
 * measured alternately in the same run. Arguments: [iterations] [warm-up iterations].
 */
public final class ScoreBenchmark {

    private static final int BATCH = 8;
    private static final int PROMPT = 64;
    private static final int COMPLETION = 192;

    private ScoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("jdpo-score-bench");
        try {
            RandomModel.write(dir, RandomModel.llama(32000, 512, 1408, 8, 8, 4), 0);
            List<TokenSequence> sequences = randomSequences(new Random(1), 32000);
            try (CausalLM model = CausalLM.load(dir, LoadOptions.cpu())) {
                SequenceScorer scorer = new SequenceScorer(model, 0);
                Runnable scoring = () -> scorer.score(sequences, BATCH, false);
                Runnable full = () -> fullLogits(model, sequences);
                for (int i = 0; i < warmUp; i++) {
                    scoring.run();
                    full.run();
                }
                // alternate the two so load from other processes hits both alike
                double[] scorerSeconds = new double[iterations];
                double[] fullLogitSeconds = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    scorerSeconds[i] = seconds(scoring);
                    fullLogitSeconds[i] = seconds(full);
                }
                int tokens = BATCH * (PROMPT + COMPLETION);
                double scorerMedian = median(scorerSeconds);
                double fullMedian = median(fullLogitSeconds);
                System.out.printf("model: hidden 512, layers 8, heads 8, kv heads 4, intermediate 1408, vocab 32000,"
                        + " FP32 CPU, %d intra-op threads%n", JniUtils.getNumThreads());
                System.out.printf("batch %d x %d tokens (%d prompt + %d completion), %d iterations after %d warm-up%n",
                        BATCH, PROMPT + COMPLETION, PROMPT, COMPLETION, iterations, warmUp);
                System.out.printf("SequenceScorer      median %.3f s/batch  %.0f tokens/s  (all: %s)%n",
                        scorerMedian, tokens / scorerMedian, Arrays.toString(round(scorerSeconds)));
                System.out.printf("LogProbs full logits median %.3f s/batch  %.0f tokens/s  (all: %s)%n",
                        fullMedian, tokens / fullMedian, Arrays.toString(round(fullLogitSeconds)));
                System.out.printf("ratio scorer / full-logits throughput: %.2fx%n", fullMedian / scorerMedian);
            }
        } finally {
            RandomModel.delete(dir);
        }
    }

    private static void fullLogits(CausalLM model, List<TokenSequence> sequences) {
        try (NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
            LogProbs.compute(model, batch, false).sequenceLogps().toFloatArray();
        }
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
        return Arrays.stream(values).map(v -> Math.round(v * 1000) / 1000.0).toArray();
    }

    private static List<TokenSequence> randomSequences(Random random, int vocab) {
        List<TokenSequence> sequences = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            sequences.add(new TokenSequence(random.ints(PROMPT, 0, vocab).toArray(),
                    random.ints(COMPLETION, 0, vocab).toArray()));
        }
        return sequences;
    }
}
