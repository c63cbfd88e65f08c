package dev.jdpo.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.model.ModelConfig;
import dev.jdpo.model.Precision;
import dev.jdpo.model.tensor.OwnedTensors;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama / Qwen2 / Mistral decoder as NDArray math: embeddings, then per layer
 * {@code h += attn(rmsnorm(h))} and {@code h += mlp(rmsnorm(h))}, a final RMSNorm and the LM head.
 * Intermediates of each layer are closed when the layer ends; under a gradient collector the autograd graph
 * keeps what backward needs, or, with gradient checkpointing on, only each layer's input: the layers then run
 * without a graph and {@link #backwardThroughLayers} recomputes each one, last first, to carry the gradient down.
 */
public final class Transformer implements AutoCloseable {

    private final ModelConfig config;
    private final ModelWeights weights;
    private final boolean half;
    private final boolean castPerForward;
    private final Map<NDArray, NDArray> halfCopies;
    private final boolean ownsHalfCopies;
    private final RotaryEmbedding rope;
    private final NDArray eps;
    private final NDArray attentionScale;
    private LinearAdapter adapter;
    private boolean checkpointing;
    private final List<Checkpointed> pending = new ArrayList<>();

    /**
     * A checkpointed forward whose layers backward has not reached yet.
     *
     * @param ids the caller's token ids (alive until its backward)
     * @param attentionMask the caller's mask
     * @param inputs each layer's input, without a graph
     * @param last the last layer's output, a leaf that collects the gradient from above
     */
    private record Checkpointed(NDArray ids, NDArray attentionMask, List<NDArray> inputs, NDArray last) { }

    /**
     * @param manager the model's manager (scalars, RoPE tables and FP16 copies live there)
     * @param trainable FP16 copies are then cast on every forward so gradients reach the FP32 masters
     */
    public Transformer(NDManager manager, ModelConfig config, ModelWeights weights, Precision precision,
                       boolean trainable) {
        this(manager, config, weights, precision == Precision.FP16, precision == Precision.FP16 && trainable,
                new IdentityHashMap<>(), true);
        if (half && !trainable) {
            for (LayerWeights layer : weights.layers()) {
                for (NDArray w : new NDArray[] {layer.q(), layer.qBias(), layer.k(), layer.kBias(), layer.v(),
                        layer.vBias(), layer.o(), layer.oBias(), layer.gate(), layer.gateBias(), layer.up(),
                        layer.upBias(), layer.down(), layer.downBias()}) {
                    cacheHalf(w);
                }
            }
            cacheHalf(weights.lmHead());
        }
    }

    private Transformer(NDManager manager, ModelConfig config, ModelWeights weights, boolean half,
                        boolean castPerForward, Map<NDArray, NDArray> halfCopies, boolean ownsHalfCopies) {
        this.config = config;
        this.weights = weights;
        this.half = half;
        this.castPerForward = castPerForward;
        this.halfCopies = halfCopies;
        this.ownsHalfCopies = ownsHalfCopies;
        this.rope = new RotaryEmbedding(manager, config.rope(), config.headDim());
        // scalars are made once on the device: a Number operand would be a host-to-device copy per op
        this.eps = OwnedTensors.scalar(manager, config.rmsNormEps());
        this.attentionScale = OwnedTensors.scalar(manager, 1.0 / Math.sqrt(config.headDim()));
        NDScope.unregister(eps, attentionScale);
    }

    /**
     * A second decoder over this one's weights and FP16 copies, with its own adapter, RoPE tables and
     * checkpointing state (on {@code manager}): another user of a shared frozen base, on any thread. Closing it
     * leaves the weights and the FP16 copies to this one.
     */
    public Transformer share(NDManager manager) {
        return new Transformer(manager, config, weights, half, castPerForward, halfCopies, false);
    }

    public ModelConfig config() {
        return config;
    }

    /** Adds {@code adapter}'s term to the projections it adapts from the next forward on; null removes it. */
    public void setAdapter(LinearAdapter adapter) {
        this.adapter = adapter;
    }

    /**
     * Turns gradient checkpointing of the decoder layers on or off for later full forwards (not while one runs).
     * Turning it off drops the saved inputs of forwards {@link #backwardThroughLayers} has not run for.
     */
    public void setGradientCheckpointing(boolean on) {
        checkpointing = on;
        if (!on) {
            pending.forEach(Transformer::closeSaved);
            pending.clear();
        }
    }

    /**
     * After the backward of a loss over checkpointed forwards: recomputes each of their decoder layers, last
     * first, with a graph, and runs its backward from the gradient its output received, so the weights' gradients
     * accumulate as a plain backward would leave them. Holds one layer's graph at a time.
     */
    public void backwardThroughLayers() {
        for (int f = pending.size() - 1; f >= 0; f--) {
            Checkpointed forward = pending.get(f);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray grad = forward.last.getGradient();
                long queries = forward.ids.getShape().get(1);
                NDArray fullMask = AttentionMask.additive(forward.attentionMask, 0, queries, 0);
                NDArray windowMask = config.slidingWindow() > 0
                        ? AttentionMask.additive(forward.attentionMask, 0, queries, config.slidingWindow()) : fullMask;
                NDList tables = rope.tables(0, queries);
                for (int i = config.numLayers() - 1; i >= 0; i--) {
                    NDArray input = forward.inputs.get(i);
                    input.setRequiresGradient(true);
                    NDArray mask = config.windowOf(i) > 0 ? windowMask : fullMask;
                    NDArray below;
                    // the layer's recomputed intermediates go as soon as its backward is done
                    try (NDScope layerScope = new NDScope()) {
                        layerScope.suppressNotUsedWarning();
                        NDArray output = decoderLayer(input, weights.layers().get(i), tables.get(0), tables.get(1),
                                mask, null, i);
                        JniUtils.backward((PtNDArray) output, (PtNDArray) grad, false, false);
                        below = input.getGradient();
                        NDScope.unregister(below);
                    }
                    grad.close();
                    grad = below;
                    NDScope.register(grad);
                }
                if (weights.embed().hasGradient()) {
                    NDArray longIds = forward.ids.getDataType() == DataType.INT64 ? forward.ids
                            : forward.ids.toType(DataType.INT64, false);
                    NDArray embedded = longIds.getNDArrayInternal()
                            .embedding(longIds, weights.embed(), SparseFormat.DENSE).singletonOrThrow();
                    JniUtils.backward((PtNDArray) embedded, (PtNDArray) grad, false, false);
                }
            } finally {
                closeSaved(forward);
            }
        }
        pending.clear();
    }

    private static void closeSaved(Checkpointed forward) {
        forward.inputs.forEach(NDArray::close);
        forward.last.close();
    }

    /** Logits {@code [B, T, vocab]} in FP32 for right-padded {@code ids [B, T]}. */
    public NDArray logits(NDArray ids, NDArray attentionMask) {
        try (NDArray hidden = hiddenStates(ids, attentionMask, null)) {
            return lmHead(hidden);
        }
    }

    /**
     * Final-normed hidden states {@code [B, T, hidden]} (FP32), attached to {@code ids}' manager.
     *
     * @param ids {@code [B, T]} token ids of the new positions
     * @param attentionMask {@code [B, T]} non-zero for real tokens
     * @param cache earlier positions' keys and values, extended in place; null for a full forward
     */
    public NDArray hiddenStates(NDArray ids, NDArray attentionMask, KvCache cache) {
        return hiddenStates(ids, attentionMask, null, cache);
    }

    /**
     * As {@link #hiddenStates(NDArray, NDArray, KvCache)}, with each row's RoPE positions given: a left-padded row
     * then computes what it would alone (its first real token at position 0).
     *
     * @param positions {@code [B, T]} INT64 position of each new token; null for {@code cache length + t}
     */
    public NDArray hiddenStates(NDArray ids, NDArray attentionMask, NDArray positions, KvCache cache) {
        if (checkpointing && cache == null && positions == null && JniUtils.isGradMode()) {
            return checkpointedHiddenStates(ids, attentionMask);
        }
        long queries = ids.getShape().get(1);
        long offset = cache == null ? 0 : cache.length();
        try (NDScope forwardScope = new NDScope()) {
            forwardScope.suppressNotUsedWarning();
            NDArray longIds = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
            NDArray h = longIds.getNDArrayInternal()
                    .embedding(longIds, weights.embed(), SparseFormat.DENSE).singletonOrThrow();
            NDArray keyMask = cache == null ? attentionMask : cache.appendMask(attentionMask);
            NDArray fullMask = AttentionMask.additive(keyMask, offset, queries, 0);
            NDArray windowMask = config.slidingWindow() > 0
                    ? AttentionMask.additive(keyMask, offset, queries, config.slidingWindow()) : fullMask;
            NDList tables = positions == null ? rope.tables(offset, queries) : rope.tables(positions);
            for (int i = 0; i < config.numLayers(); i++) {
                NDArray mask = config.windowOf(i) > 0 ? windowMask : fullMask;
                NDArray next;
                try (NDScope layerScope = new NDScope()) {
                    layerScope.suppressNotUsedWarning();
                    next = decoderLayer(h, weights.layers().get(i), tables.get(0), tables.get(1), mask, cache, i);
                    NDScope.unregister(next);
                }
                NDScope.register(next);
                h = next;
            }
            if (cache != null) {
                cache.advance(queries);
            }
            NDArray out = rmsNorm(h, weights.finalNorm());
            NDScope.unregister(out);
            return out;
        }
    }

    /**
     * The layers without a graph, keeping each one's input; the last output becomes a leaf that requires a gradient,
     * so the final norm and whatever follows record as usual and the loss's backward stops there.
     */
    private NDArray checkpointedHiddenStates(NDArray ids, NDArray attentionMask) {
        List<NDArray> inputs = new ArrayList<>();
        NDArray h;
        JniUtils.setGradMode(false);
        try (NDScope forwardScope = new NDScope()) {
            forwardScope.suppressNotUsedWarning();
            long queries = ids.getShape().get(1);
            NDArray longIds = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
            h = longIds.getNDArrayInternal().embedding(longIds, weights.embed(), SparseFormat.DENSE).singletonOrThrow();
            NDArray fullMask = AttentionMask.additive(attentionMask, 0, queries, 0);
            NDArray windowMask = config.slidingWindow() > 0
                    ? AttentionMask.additive(attentionMask, 0, queries, config.slidingWindow()) : fullMask;
            NDList tables = rope.tables(0, queries);
            for (int i = 0; i < config.numLayers(); i++) {
                inputs.add(h);
                NDScope.unregister(h);
                NDArray mask = config.windowOf(i) > 0 ? windowMask : fullMask;
                try (NDScope layerScope = new NDScope()) {
                    layerScope.suppressNotUsedWarning();
                    h = decoderLayer(h, weights.layers().get(i), tables.get(0), tables.get(1), mask, null, i);
                    NDScope.unregister(h);
                }
            }
        } finally {
            JniUtils.setGradMode(true);
        }
        h.setRequiresGradient(true);
        pending.add(new Checkpointed(ids, attentionMask, inputs, h));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray out = rmsNorm(h, weights.finalNorm());
            NDScope.unregister(out);
            return out;
        }
    }

    /**
     * Logits {@code [..., vocab]} in FP32 for final hidden states {@code [..., hidden]}. The rows go in as one
     * contiguous {@code [N, hidden]} matrix: libtorch folds only such an input into one GEMM; a strided slice (the
     * completion positions of a batch) with a frozen head ran as a batched GEMM per row, in forward and backward.
     */
    public NDArray lmHead(NDArray hidden) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Shape shape = hidden.getShape();
            NDArray rows = shape.dimension() == 2 ? hidden : hidden.reshape(-1, shape.get(shape.dimension() - 1));
            NDArray logits = linear(rows, weights.lmHead(), null);
            if (rows != hidden) {
                logits = logits.reshape(shape.slice(0, shape.dimension() - 1).add(logits.getShape().get(1)));
            }
            NDScope.unregister(logits);
            return logits;
        }
    }

    private NDArray decoderLayer(NDArray h, LayerWeights w, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                                 int index) {
        NDArray attended = h.add(attention(rmsNorm(h, w.inputNorm()), w, cos, sin, mask, cache, index));
        return attended.add(mlp(rmsNorm(attended, w.postNorm()), w));
    }

    /** Grouped-query attention: each kv head serves {@code heads / kvHeads} consecutive query heads. */
    private NDArray attention(NDArray x, LayerWeights w, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                              int index) {
        long batch = x.getShape().get(0);
        long queries = x.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int headDim = config.headDim();
        long group = heads / kvHeads;
        NDArray q = linear(x, w.q(), w.qBias()).reshape(batch, queries, heads, headDim).transpose(0, 2, 1, 3);
        NDArray k = linear(x, w.k(), w.kBias()).reshape(batch, queries, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray v = linear(x, w.v(), w.vBias()).reshape(batch, queries, kvHeads, headDim).transpose(0, 2, 1, 3);
        q = RotaryEmbedding.rotate(q, cos, sin);
        k = RotaryEmbedding.rotate(k, cos, sin);
        if (cache != null) {
            NDArray[] full = cache.append(index, k, v);
            k = full[0];
            v = full[1];
        }
        long keys = k.getShape().get(2);
        // [B, kvHeads, group*T, headDim] x [B, kvHeads, headDim, S]: one batched matmul per kv head, no K copy
        NDArray grouped = q.reshape(batch, kvHeads, group * queries, headDim);
        NDArray scores = toFloat(matMul(grouped, k.swapAxes(2, 3))).mul(attentionScale)
                .reshape(batch, kvHeads, group, queries, keys).add(mask);
        NDArray probabilities = scores.softmax(-1).reshape(batch, kvHeads, group * queries, keys);
        NDArray context = toFloat(matMul(probabilities, v))
                .reshape(batch, heads, queries, headDim).transpose(0, 2, 1, 3)
                .reshape(batch, queries, (long) heads * headDim);
        return linear(context, w.o(), w.oBias());
    }

    /** SwiGLU: {@code down(silu(gate(x)) * up(x))}. */
    private NDArray mlp(NDArray x, LayerWeights w) {
        NDArray gate = linear(x, w.gate(), w.gateBias());
        NDArray activated = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(linear(x, w.up(), w.upBias()));
        return linear(activated, w.down(), w.downBias());
    }

    /** {@code x / sqrt(mean(x^2) + eps) * w}, in FP32. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(eps).sqrt()).mul(weight);
    }

    /**
     * {@code x W^T + b} for an HF {@code [out, in]} weight, plus the adapter's term when it adapts this weight;
     * FP16 operands in mixed precision, FP32 result.
     */
    private NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        NDArray input = half ? Casts.to(x, DataType.FLOAT16) : x;
        NDArray result = input.getNDArrayInternal()
                .linear(input, compute(weight), bias == null ? null : compute(bias)).singletonOrThrow();
        NDArray delta = adapter == null ? null : adapter.delta(weight, input);
        return toFloat(delta == null ? result : result.add(delta));
    }

    private NDArray matMul(NDArray a, NDArray b) {
        if (!half) {
            return a.matMul(b);
        }
        return Casts.to(a, DataType.FLOAT16).matMul(Casts.to(b, DataType.FLOAT16));
    }

    private NDArray compute(NDArray master) {
        if (!half) {
            return master;
        }
        if (castPerForward) {
            return Casts.to(master, DataType.FLOAT16);
        }
        return halfCopies.get(master);
    }

    private static NDArray toFloat(NDArray x) {
        return Casts.to(x, DataType.FLOAT32);
    }

    private void cacheHalf(NDArray master) {
        if (master != null && !halfCopies.containsKey(master)) {
            NDArray copy = master.toType(DataType.FLOAT16, true);
            NDScope.unregister(copy);
            halfCopies.put(master, copy);
        }
    }

    @Override
    public void close() {
        setGradientCheckpointing(false);
        rope.close();
        if (ownsHalfCopies) {
            halfCopies.values().forEach(NDArray::close);
        }
        eps.close();
        attentionScale.close();
    }
}
