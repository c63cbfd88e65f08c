package dev.jdpo.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.transformer.KvCache;
import dev.jdpo.model.transformer.Transformer;
import java.util.Arrays;

/** Continues prompts for evaluation: greedy or sampled decoding, one sequence at a time, no gradients. */
public final class Generator {

    private final CausalLM model;

    public Generator(CausalLM model) {
        this.model = model;
    }

    /** Generates up to {@code maxNewTokens} tokens after {@code promptIds}, stopping at a stop id. */
    public GenerationResult generate(int[] promptIds, GenerationOptions options) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("generation needs at least one prompt token");
        }
        for (int id : promptIds) {
            if (id < 0 || id >= model.config().vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary [0, "
                        + model.config().vocabSize() + ")");
            }
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager manager = model.manager().newSubManager();
             KvCache cache = options.kvCache() ? new KvCache(manager, model.config().numLayers()) : null) {
            return decode(manager, promptIds, options, cache);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private GenerationResult decode(NDManager manager, int[] promptIds, GenerationOptions options, KvCache cache) {
        TokenSampler sampler = new TokenSampler(options);
        int[] sequence = Arrays.copyOf(promptIds, promptIds.length + options.maxNewTokens());
        int length = promptIds.length;
        int fed = 0;
        while (length - promptIds.length < options.maxNewTokens()) {
            // with a cache only the tokens not yet seen are fed; without one the whole prefix is re-run
            int from = cache == null ? 0 : fed;
            int next = sampler.next(lastLogits(manager, Arrays.copyOfRange(sequence, from, length), cache));
            fed = length;
            sequence[length++] = next;
            if (options.stopIds().contains(next)) {
                return new GenerationResult(Arrays.copyOfRange(sequence, promptIds.length, length), true);
            }
        }
        return new GenerationResult(Arrays.copyOfRange(sequence, promptIds.length, length), false);
    }

    private float[] lastLogits(NDManager parent, int[] tokens, KvCache cache) {
        Transformer transformer = model.transformer();
        try (NDManager step = parent.newSubManager()) {
            long[] ids = Arrays.stream(tokens).asLongStream().toArray();
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1);
            NDArray input = step.create(ids, new Shape(1, ids.length));
            NDArray hidden = transformer.hiddenStates(input, step.create(mask, new Shape(1, ids.length)), cache);
            return transformer.lmHead(hidden.get(new NDIndex("0, -1"))).toFloatArray();
        }
    }
}
