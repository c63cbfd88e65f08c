package dev.jdpo.trainer.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.RandomInit;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.PolicyTrainer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One DPO step of 2 pairs x 512 tokens (128 prompt + 384 completion per sequence) on the Qwen2.5-0.5B shape with
 * random weights, FP32: peak RSS (VmHWM) and tokens/s of scoring, a full fine-tune, LoRA r 16 on all linear
 * layers, and LoRA with gradient checkpointing, one mode per JVM so each peak is that mode's alone.
 * {@code write DIR} writes the checkpoint and {@code ids.json} (the token ids, which bench/qwen_step_torch.py
 * reads too); {@code score|full|lora|lora-gc DIR ITERATIONS} measures wall and process CPU seconds per iteration
 * (the CPU time is the work done, whatever else the machine runs). Sigmoid loss, AdamW, fixed reference sums.
 */
public final class QwenStepBenchmark {

    private static final int PAIRS = 2;
    private static final int PROMPT = 128;
    private static final int COMPLETION = 384;
    private static final int VOCAB = 151936;
    private static final List<String> MODES = List.of("score", "full", "lora", "lora-gc");

    private QwenStepBenchmark() { }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("write")) {
            write(Path.of(args[1]));
            return;
        }
        if (args.length != 3 || !MODES.contains(args[0])) {
            throw new IllegalArgumentException("usage: write DIR | score|full|lora|lora-gc DIR ITERATIONS");
        }
        String mode = args[0];
        Path dir = Path.of(args[1]);
        int iterations = Integer.parseInt(args[2]);
        List<TrainingPair> pairs = readPairs(dir.resolve("ids.json"));
        double[] seconds = new double[iterations];
        double[] cpuSeconds = new double[iterations];
        long loadedKiB;
        try (CausalLM model = CausalLM.load(dir,
                mode.equals("full") ? LoadOptions.trainableCpu() : LoadOptions.cpu())) {
            loadedKiB = status("VmRSS");
            if (mode.equals("score")) {
                List<TokenSequence> sequences = new ArrayList<>();
                pairs.forEach(pair -> sequences.add(pair.tokens().chosen()));
                pairs.forEach(pair -> sequences.add(pair.tokens().rejected()));
                SequenceScorer scorer = new SequenceScorer(model, 0);
                for (int i = 0; i < iterations; i++) {
                    long start = System.nanoTime();
                    long cpuStart = cpuNanos();
                    scorer.score(sequences, sequences.size(), false);
                    cpuSeconds[i] = (cpuNanos() - cpuStart) / 1e9;
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                }
            } else {
                if (!mode.equals("full")) {
                    model.attachAdapter(LoraAdapter.create(model, new LoraConfig(16, 32, 0, false,
                            TargetModules.allLinear()), 0, true));
                }
                TrainingConfig config = TrainingConfig.builder().lossTypes(List.of("sigmoid")).learningRate(1e-5)
                        .scheduler(SchedulerType.CONSTANT).batchSize(PAIRS).gradientAccumulationSteps(1)
                        .maxSteps(iterations).gradientCheckpointing(mode.endsWith("-gc")).build();
                try (PolicyTrainer trainer = new PolicyTrainer(model, config, 0, iterations)) {
                    for (int i = 0; i < iterations; i++) {
                        long cpuStart = cpuNanos();
                        seconds[i] = trainer.step(pairs, 0).metrics().seconds();
                        cpuSeconds[i] = (cpuNanos() - cpuStart) / 1e9;
                    }
                }
            }
        }
        int tokens = 2 * PAIRS * (PROMPT + COMPLETION);
        System.out.printf(Locale.ROOT, "jdpo %s: threads %d, rss after load %.0f MiB, peak rss %.0f MiB, "
                        + "seconds %s, median %.2f s, %.1f tokens/s; cpu seconds %s, median %.2f s, %.1f tokens per "
                        + "cpu-second%n", mode, JniUtils.getNumThreads(), loadedKiB / 1024.0, status("VmHWM") / 1024.0,
                rounded(seconds), median(seconds), tokens / median(seconds), rounded(cpuSeconds), median(cpuSeconds),
                tokens / median(cpuSeconds));
    }

    /** CPU time of the whole process (every thread: libtorch's, the JVM's): on a shared machine, the work done. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String rounded(double[] values) {
        return Arrays.toString(Arrays.stream(values).map(v -> Math.round(v * 100) / 100.0).toArray());
    }

    /** The Qwen2.5-0.5B config (random weights) and the benchmark's token ids, seeded. */
    private static void write(Path dir) throws Exception {
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "qwen2");
        config.addProperty("vocab_size", VOCAB);
        config.addProperty("hidden_size", 896);
        config.addProperty("intermediate_size", 4864);
        config.addProperty("num_hidden_layers", 24);
        config.addProperty("num_attention_heads", 14);
        config.addProperty("num_key_value_heads", 2);
        config.addProperty("max_position_embeddings", 32768);
        config.addProperty("rms_norm_eps", 1e-6);
        config.addProperty("rope_theta", 1000000.0);
        config.addProperty("tie_word_embeddings", true);
        config.addProperty("torch_dtype", "float32");
        RandomInit.writeWeights(dir, config, 0);
        Random random = new Random(1);
        JsonArray pairs = new JsonArray();
        for (int p = 0; p < PAIRS; p++) {
            JsonObject pair = new JsonObject();
            pair.add("prompt", ids(random, PROMPT));
            pair.add("chosen", ids(random, COMPLETION));
            pair.add("rejected", ids(random, COMPLETION));
            pairs.add(pair);
        }
        Files.writeString(dir.resolve("ids.json"), pairs.toString(), StandardCharsets.UTF_8);
    }

    private static JsonArray ids(Random random, int count) {
        JsonArray ids = new JsonArray();
        random.ints(count, 0, VOCAB).forEach(ids::add);
        return ids;
    }

    /** The pairs of {@code ids.json}, with fixed reference sums (they move the loss, not the work). */
    private static List<TrainingPair> readPairs(Path file) throws Exception {
        List<TrainingPair> pairs = new ArrayList<>();
        for (var element : JsonParser.parseString(Files.readString(file)).getAsJsonArray()) {
            JsonObject pair = element.getAsJsonObject();
            PairTokens tokens = new PairTokens(toInts(pair.getAsJsonArray("prompt")),
                    toInts(pair.getAsJsonArray("chosen")), toInts(pair.getAsJsonArray("rejected")));
            pairs.add(new TrainingPair(tokens, new PairLogProbs(-4600, -4610, tokens.chosen().scoredTokens(),
                    tokens.rejected().scoredTokens(), null, null)));
        }
        return pairs;
    }

    private static int[] toInts(JsonArray array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsInt();
        }
        return values;
    }

    /** A {@code /proc/self/status} field in KiB (VmRSS: now; VmHWM: the peak so far). */
    private static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("/proc/self/status has no " + field);
    }
}
