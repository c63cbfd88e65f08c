package dev.jdpo.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.jdpo.trainer.config.LossScaling;
import java.util.Collection;

/**
 * Dynamic loss scaling as torch.cuda.amp.GradScaler: the loss is multiplied by the scale before backward, so small
 * FP16 gradients do not flush to zero; the gradients are divided by it before clipping and the update. A step whose
 * gradients overflowed is skipped and the scale lowered; a run of good steps raises it. Not thread-safe.
 */
public final class LossScaler {

    private final LossScaling settings;
    private State state;

    /**
     * The scaler's position, as a checkpoint keeps it.
     *
     * @param scale the current scale
     * @param growthTracker good steps since the scale last changed
     * @param skippedSteps steps skipped for an overflow so far
     * @param growths times the scale grew so far
     */
    public record State(double scale, int growthTracker, int skippedSteps, int growths) { }

    public LossScaler(LossScaling settings) {
        this.settings = settings;
        this.state = new State(settings.initScale(), 0, 0, 0);
    }

    public double scale() {
        return state.scale;
    }

    public State state() {
        return state;
    }

    public void restore(State saved) {
        this.state = saved;
    }

    /** Divides each weight's gradient by the scale, in place. */
    public void unscale(Collection<NDArray> weights) {
        float inverse = (float) (1.0 / state.scale);
        try (NDScope scope = new NDScope(); NoGrad noGrad = NoGrad.enter()) {
            for (NDArray weight : weights) {
                PtNDArray grad = JniUtils.getGradient((PtNDArray) weight);
                if (grad != null) {
                    grad.muli(inverse);
                }
            }
        }
    }

    /** Moves the scale after a step: down (and the step counted as skipped) on an overflow, up after a good run. */
    public void update(boolean overflowed) {
        if (overflowed) {
            state = new State(state.scale * settings.backoffFactor(), 0, state.skippedSteps + 1, state.growths);
        } else if (state.growthTracker + 1 >= settings.growthInterval()) {
            state = new State(state.scale * settings.growthFactor(), 0, state.skippedSteps, state.growths + 1);
        } else {
            state = new State(state.scale, state.growthTracker + 1, state.skippedSteps, state.growths);
        }
    }
}
