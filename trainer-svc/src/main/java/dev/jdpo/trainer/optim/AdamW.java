package dev.jdpo.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AdamW with torch.optim.AdamW's exact update order (single-tensor path): p *= 1 - lr wd; m = lerp(m, g, 1-b1);
 * v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). A weight without a gradient is
 * skipped, as torch skips parameters whose grad is None. Moments are FP32, created on first use.
 */
public final class AdamW implements AutoCloseable {

    /** torch's default parameter groups in HF: no decay on biases and normalisation weights. */
    public static final Predicate<String> DECAYS =
            name -> !(name.endsWith("norm.weight") || name.endsWith(".bias"));

    /** Elements updated per slice (16 MiB of FP32): bounds the update's temporaries whatever the weight's size. */
    private static final long SLICE_ELEMENTS = 1L << 22;

    private final Map<String, NDArray> weights;
    private final Settings settings;
    private final Predicate<String> decays;
    private final NDManager stateManager;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private int step;

    /**
     * Hyperparameters of the update.
     *
     * @param beta1 first-moment decay
     * @param beta2 second-moment decay
     * @param epsilon added to the denominator
     * @param weightDecay decoupled decay for weights {@code decays} accepts
     */
    public record Settings(double beta1, double beta2, double epsilon, double weightDecay) { }

    /**
     * @param weights the trainable weights by name, in a stable order
     * @param settings update hyperparameters
     * @param decays which weights get weight decay (see {@link #DECAYS})
     * @param parentManager manager under which the moments are allocated (on the weights' device)
     */
    public AdamW(Map<String, NDArray> weights, Settings settings, Predicate<String> decays, NDManager parentManager) {
        this.weights = weights;
        this.settings = settings;
        this.decays = decays;
        this.stateManager = parentManager.newSubManager();
    }

    /** Applies one update with learning rate {@code lr} to every weight that has a gradient. */
    public void step(double lr) {
        step++;
        double biasCorrection1 = 1 - Math.pow(settings.beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(settings.beta2, step));
        float stepSize = (float) (lr / biasCorrection1);
        try (NoGrad noGrad = NoGrad.enter()) {
            for (Map.Entry<String, NDArray> entry : weights.entrySet()) {
                update(entry.getKey(), (PtNDArray) entry.getValue(), lr, stepSize, biasCorrection2Sqrt);
            }
        }
    }

    private void update(String name, PtNDArray weight, double lr, float stepSize, double biasCorrection2Sqrt) {
        try (NDScope scope = new NDScope()) {
            PtNDArray grad = JniUtils.getGradient(weight);
            if (grad == null) {
                return;
            }
            double decay = decays.test(name) ? settings.weightDecay : 0.0;
            NDArray m = moment(expAvg, name, weight);
            NDArray v = moment(expAvgSq, name, weight);
            // flat views, updated in place a slice at a time: slice-sized temporaries, never weight-sized ones
            NDArray flatWeight = weight.reshape(-1);
            NDArray flatGrad = grad.reshape(-1);
            NDArray flatM = m.reshape(-1);
            NDArray flatV = v.reshape(-1);
            long size = flatWeight.size();
            for (long from = 0; from < size; from += SLICE_ELEMENTS) {
                try (NDScope sliceScope = new NDScope()) {
                    sliceScope.suppressNotUsedWarning();
                    NDIndex slice = new NDIndex("{}:{}", from, Math.min(size, from + SLICE_ELEMENTS));
                    updateSlice(flatWeight.get(slice), flatGrad.get(slice), flatM.get(slice), flatV.get(slice),
                            (float) (1 - lr * decay), stepSize, biasCorrection2Sqrt);
                }
            }
        }
    }

    /** torch's update on views of one slice, with at most two slice-sized temporaries at a time. */
    private void updateSlice(NDArray weight, NDArray grad, NDArray m, NDArray v, float keep, float stepSize,
                             double biasCorrection2Sqrt) {
        if (keep != 1f) {
            weight.muli(keep);
        }
        try (NDArray delta = grad.sub(m)) {
            m.addi(delta.muli((float) (1 - settings.beta1)));
        }
        try (NDArray square = grad.mul(grad)) {
            v.muli((float) settings.beta2).addi(square.muli((float) (1 - settings.beta2)));
        }
        try (NDArray denominator = v.sqrt()) {
            denominator.divi((float) biasCorrection2Sqrt).addi((float) settings.epsilon);
            try (NDArray update = m.div(denominator)) {
                weight.subi(update.muli(stepSize));
            }
        }
    }

    private NDArray moment(Map<String, NDArray> moments, String name, NDArray weight) {
        return moments.computeIfAbsent(name, key -> {
            NDArray zeros = stateManager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            NDScope.unregister(zeros);
            return zeros;
        });
    }

    /** Sets every weight's accumulated gradient to zero in place (NaN-safe, unlike g - g). */
    public void zeroGradients() {
        for (NDArray weight : weights.values()) {
            JniUtils.zeroGrad((PtNDArray) weight);
        }
    }

    /** Optimizer steps taken so far (torch's per-parameter {@code step}, shared by all weights here). */
    public int stepCount() {
        return step;
    }

    /** The moments under torch's state names: {@code <weight>.exp_avg} and {@code <weight>.exp_avg_sq}. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        expAvg.forEach((name, m) -> state.put(name + ".exp_avg", m));
        expAvgSq.forEach((name, v) -> state.put(name + ".exp_avg_sq", v));
        return state;
    }

    /**
     * Restores moments and the step count saved by {@link #state()}; the arrays are copied into this
     * optimizer's memory.
     *
     * @throws IllegalArgumentException naming the tensor when a moment has no matching weight or a wrong shape
     */
    public void restore(Map<String, NDArray> state, int stepCount) {
        for (Map.Entry<String, NDArray> entry : state.entrySet()) {
            String key = entry.getKey();
            boolean first = key.endsWith(".exp_avg");
            if (!first && !key.endsWith(".exp_avg_sq")) {
                throw new IllegalArgumentException("optimizer state: unexpected tensor " + key);
            }
            String name = key.substring(0, key.lastIndexOf('.'));
            NDArray weight = weights.get(name);
            NDArray saved = entry.getValue();
            if (weight == null || !weight.getShape().equals(saved.getShape())
                    || weight.getDataType() != saved.getDataType()) {
                throw new IllegalArgumentException("optimizer state: tensor " + key + " " + saved.getShape() + " "
                        + saved.getDataType() + " does not match weight "
                        + (weight == null ? "(none)" : weight.getShape() + " " + weight.getDataType()));
            }
            // duplicate() clones; toDevice on the same device may alias the caller's (possibly mapped) buffer
            NDArray copy = saved.getDevice().equals(weight.getDevice())
                    ? saved.duplicate() : saved.toDevice(weight.getDevice(), true);
            copy.attach(stateManager);
            NDArray previous = (first ? expAvg : expAvgSq).put(name, copy);
            if (previous != null) {
                previous.close();
            }
        }
        this.step = stepCount;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
