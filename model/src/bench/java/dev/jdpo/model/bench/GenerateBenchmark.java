package dev.jdpo.model.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.model.generate.Generator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Greedy generation throughput on examples/tiny-llama: prompts of 8-40 random tokens, a fixed number of new tokens
 * each (no stop id, so every mode does the same work), one prompt at a time vs batches, with the KV cache and, for
 * one batch size, without. Reports the median prompts/s and generated tokens/s per mode, modes measured in turn.
 * Arguments: [model dir] [prompts] [new tokens] [iterations].
 */
public final class GenerateBenchmark {

    private GenerateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args.length > 0 ? args[0] : "examples/tiny-llama");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        try (CausalLM model = CausalLM.load(modelDir, LoadOptions.cpu())) {
            Random random = new Random(1);
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                prompts.add(random.ints(8 + random.nextInt(33), 3, model.config().vocabSize()).toArray());
            }
            Generator generator = new Generator(model);
            GenerationOptions cached = GenerationOptions.greedy(newTokens, List.of());
            String[] names = {"one at a time", "batch 8", "batch 32", "batch 64", "batch 32, no KV cache"};
            int[] batchSizes = {1, 8, 32, 64, 32};
            GenerationOptions[] options = {cached, cached, cached, cached, cached.withKvCache(false)};
            generator.generate(prompts.subList(0, 16), cached, 8);
            double[][] seconds = new double[names.length][iterations];
            for (int it = 0; it < iterations; it++) {
                for (int m = 0; m < names.length; m++) {
                    long start = System.nanoTime();
                    generator.generate(prompts, options[m], batchSizes[m]);
                    seconds[m][it] = (System.nanoTime() - start) / 1e9;
                }
            }
            System.out.printf("model %s (hidden %d, %d layers, vocab %d), FP32 CPU, %d intra-op threads%n", modelDir,
                    model.config().hiddenSize(), model.config().numLayers(), model.config().vocabSize(),
                    JniUtils.getNumThreads());
            System.out.printf("%d prompts of 8-40 tokens, %d new tokens each (greedy, no stop), median of %d%n",
                    count, newTokens, iterations);
            double base = median(seconds[0]);
            for (int m = 0; m < names.length; m++) {
                double median = median(seconds[m]);
                System.out.printf("%-22s %7.2f s  %7.1f prompts/s  %8.0f tokens/s  %5.2fx  (all: %s)%n", names[m],
                        median, count / median, (double) count * newTokens / median, base / median,
                        Arrays.toString(Arrays.stream(seconds[m]).map(s -> Math.round(s * 100) / 100.0).toArray()));
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
