package dev.jdpo.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.transformer.KvCache;
import dev.jdpo.model.transformer.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Continues prompts for evaluation: greedy or sampled decoding, no gradients, in batches. A batch is left-padded
 * and each row carries its own RoPE positions, so a row generates what it would alone; rows that finish leave the
 * batch (and the KV cache), so a long answer does not keep short ones computing.
 */
public final class Generator {

    private final CausalLM model;

    public Generator(CausalLM model) {
        this.model = model;
    }

    /** Generates up to {@code maxNewTokens} tokens after {@code promptIds}, stopping at a stop id. */
    public GenerationResult generate(int[] promptIds, GenerationOptions options) {
        return generate(List.of(promptIds), options, 1).get(0);
    }

    /**
     * Continues every prompt, {@code batchSize} at a time (longest first, to limit padding); results are in input
     * order. Prompt {@code i} samples with seed {@code options.seed() + i}, so its answer does not depend on the
     * batching.
     */
    public List<GenerationResult> generate(List<int[]> prompts, GenerationOptions options, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        List<Row> rows = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(new Row(checked(prompts.get(i)), options, options.seed() + i));
        }
        List<Row> order = new ArrayList<>(rows);
        order.sort(Comparator.comparingInt((Row row) -> row.promptLength).reversed());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager manager = model.manager().newSubManager()) {
            for (int start = 0; start < order.size(); start += batchSize) {
                decode(manager, order.subList(start, Math.min(order.size(), start + batchSize)), options);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return rows.stream().map(Row::result).toList();
    }

    private int[] checked(int[] promptIds) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("generation needs at least one prompt token");
        }
        for (int id : promptIds) {
            if (id < 0 || id >= model.config().vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, "
                        + model.config().vocabSize() + ")");
            }
        }
        return promptIds;
    }

    private void decode(NDManager parent, List<Row> batch, GenerationOptions options) {
        try (NDManager manager = parent.newSubManager();
             KvCache cache = options.kvCache() ? new KvCache(manager, model.config().numLayers()) : null) {
            List<Row> active = batch.stream().filter(row -> !row.done()).toList();
            while (!active.isEmpty()) {
                float[][] logits = nextLogits(manager, active, cache);
                boolean[] keep = new boolean[active.size()];
                List<Row> unfinished = new ArrayList<>();
                for (int b = 0; b < active.size(); b++) {
                    Row row = active.get(b);
                    row.append(row.sampler.next(logits[b]));
                    keep[b] = !row.done();
                    if (keep[b]) {
                        unfinished.add(row);
                    }
                }
                if (cache != null && !unfinished.isEmpty() && unfinished.size() < active.size()) {
                    cache.retainRows(keep);
                }
                active = unfinished;
            }
        }
    }

    /**
     * Next-token logits of each row. With a cache only the tokens not yet seen are fed; without one each row's
     * whole sequence is re-run. Rows are left-padded to the longest input; pads are masked and take position 0.
     */
    private float[][] nextLogits(NDManager parent, List<Row> rows, KvCache cache) {
        int batch = rows.size();
        int width = 0;
        for (Row row : rows) {
            width = Math.max(width, row.length - (cache == null ? 0 : row.fed));
        }
        long[] ids = new long[batch * width];
        long[] mask = new long[batch * width];
        long[] positions = new long[batch * width];
        for (int b = 0; b < batch; b++) {
            Row row = rows.get(b);
            int from = cache == null ? 0 : row.fed;
            int pad = width - (row.length - from);
            for (int t = from; t < row.length; t++) {
                int at = b * width + pad + t - from;
                ids[at] = row.sequence[t];
                mask[at] = 1;
                positions[at] = t;
            }
            row.fed = row.length;
        }
        Transformer transformer = model.transformer();
        try (NDManager step = parent.newSubManager()) {
            Shape shape = new Shape(batch, width);
            NDArray hidden = transformer.hiddenStates(step.create(ids, shape), step.create(mask, shape),
                    step.create(positions, shape), cache);
            float[] flat = transformer.lmHead(hidden.get(new NDIndex(":, -1"))).toFloatArray();
            int vocab = flat.length / batch;
            float[][] logits = new float[batch][];
            for (int b = 0; b < batch; b++) {
                logits[b] = Arrays.copyOfRange(flat, b * vocab, (b + 1) * vocab);
            }
            return logits;
        }
    }

    /** One prompt's decoding state. */
    private static final class Row {
        final int[] sequence;
        final int promptLength;
        final TokenSampler sampler;
        final GenerationOptions options;
        int length;
        int fed;
        boolean stopped;

        Row(int[] promptIds, GenerationOptions options, long seed) {
            this.sequence = Arrays.copyOf(promptIds, promptIds.length + options.maxNewTokens());
            this.promptLength = promptIds.length;
            this.length = promptIds.length;
            this.options = options;
            this.sampler = new TokenSampler(options, seed);
        }

        void append(int token) {
            sequence[length++] = token;
            stopped = options.stopIds().contains(token);
        }

        boolean done() {
            return stopped || length - promptLength >= options.maxNewTokens();
        }

        GenerationResult result() {
            return new GenerationResult(Arrays.copyOfRange(sequence, promptLength, length), stopped);
        }
    }
}
