package dev.jdpo.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.TokenSequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Peak resident memory of forward + backward (one DPO-sized batch: 2 pairs, 4 sequences of 512 tokens) on a
 * random Llama (hidden 512, 8 layers, 8 heads over 4 kv heads, SwiGLU 1408, vocab 32000, 56M parameters), full
 * fine-tune vs LoRA on every linear layer, each also with gradient checkpointing ({@code -gc}: each decoder layer
 * recomputed in backward). One mode per process, so the peak (VmHWM) is that mode's alone; the
 * model is written first by another ({@code write DIR}). Arguments: {@code write DIR} or
 * {@code full|lora|full-gc|lora-gc DIR [r (16)] [steps (2)]}. No optimizer: this isolates what the frozen base saves in
 * gradients; AdamW's moments would add 8 bytes per trainable parameter on top.
 */
public final class LoraMemoryBenchmark {

    private static final int SEQUENCES = 4;
    private static final int PROMPT = 128;
    private static final int COMPLETION = 384;
    private static final int VOCAB = 32000;

    private LoraMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("write")) {
            RandomModel.write(Path.of(args[1]), RandomModel.llama(VOCAB, 512, 1408, 8, 8, 4), 0);
            return;
        }
        if (args.length < 2 || !List.of("full", "lora", "full-gc", "lora-gc").contains(args[0])) {
            throw new IllegalArgumentException("usage: write DIR | full|lora|full-gc|lora-gc DIR [r] [steps]");
        }
        boolean full = args[0].startsWith("full");
        boolean checkpointing = args[0].endsWith("-gc");
        Path dir = Path.of(args[1]);
        int r = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        List<TokenSequence> sequences = new ArrayList<>();
        Random random = new Random(1);
        for (int i = 0; i < SEQUENCES; i++) {
            sequences.add(new TokenSequence(random.ints(PROMPT, 0, VOCAB).toArray(),
                    random.ints(COMPLETION, 0, VOCAB).toArray()));
        }
        try (CausalLM model = CausalLM.load(dir, full ? LoadOptions.trainableCpu() : LoadOptions.cpu())) {
            Collection<NDArray> trainable = model.parameters().values();
            if (!full) {
                LoraAdapter adapter = LoraAdapter.create(model, new LoraConfig(r, 2 * r, 0, false,
                        TargetModules.allLinear()), 0, true);
                model.attachAdapter(adapter);
                trainable = adapter.parameters().values();
            }
            long parameters = trainable.stream().mapToLong(p -> p.getShape().size()).sum();
            long loadedKb = status("VmRSS");
            double[] seconds = new double[steps];
            for (int i = 0; i < steps; i++) {
                long start = System.nanoTime();
                step(model, sequences, trainable, checkpointing);
                seconds[i] = (System.nanoTime() - start) / 1e9;
            }
            System.out.printf("mode %s%s, %d trainable parameters, FP32 CPU, %d intra-op threads%n",
                    args[0], full ? "" : " (r " + r + ", alpha " + 2 * r + ", all-linear)", parameters,
                    JniUtils.getNumThreads());
            System.out.printf("RSS after load %.0f MiB; peak RSS (VmHWM) %.0f MiB; step seconds %s;"
                    + " %.0f tokens/s (last step)%n", loadedKb / 1024.0, status("VmHWM") / 1024.0,
                    Arrays.toString(Arrays.stream(seconds).map(t -> Math.round(t * 100) / 100.0).toArray()),
                    SEQUENCES * (PROMPT + COMPLETION) / seconds[steps - 1]);
        }
    }

    /** Forward + backward of the batch; the gradients are then dropped as an optimizer step would leave them. */
    private static void step(CausalLM model, List<TokenSequence> sequences, Collection<NDArray> trainable,
                             boolean checkpointing) {
        try (NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                model.transformer().setGradientCheckpointing(checkpointing);
                collector.backward(LogProbs.compute(model, batch, false).sequenceLogps().sum());
                if (checkpointing) {
                    model.transformer().backwardThroughLayers();
                }
                model.transformer().setGradientCheckpointing(false);
            }
            for (NDArray parameter : trainable) {
                parameter.getGradient().close();
            }
        }
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
