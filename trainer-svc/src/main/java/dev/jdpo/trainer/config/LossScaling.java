package dev.jdpo.trainer.config;

/**
 * Dynamic loss scaling of FP16 mixed-precision training, with torch.cuda.amp.GradScaler's parameters and defaults.
 *
 * @param initScale the first step's scale
 * @param growthFactor multiplies the scale after {@code growthInterval} steps in a row without an overflow
 * @param backoffFactor multiplies the scale after a step whose gradients overflowed (that step is skipped)
 * @param growthInterval good steps in a row before the scale grows
 */
public record LossScaling(double initScale, double growthFactor, double backoffFactor, int growthInterval) {

    /** GradScaler's defaults: 2^16, x2 every 2000 good steps, x0.5 on overflow. */
    public static final LossScaling DEFAULT = new LossScaling(65536.0, 2.0, 0.5, 2000);

    public LossScaling {
        if (!(initScale > 0 && Double.isFinite(initScale))) {
            throw new InvalidConfigException("training.loss_scaling.init_scale", "must be a finite number > 0, got "
                    + initScale);
        }
        if (!(growthFactor > 1 && Double.isFinite(growthFactor))) {
            throw new InvalidConfigException("training.loss_scaling.growth_factor", "must be a finite number > 1, got "
                    + growthFactor);
        }
        if (!(backoffFactor > 0 && backoffFactor < 1)) {
            throw new InvalidConfigException("training.loss_scaling.backoff_factor", "must be in (0, 1), got "
                    + backoffFactor);
        }
        if (growthInterval < 1) {
            throw new InvalidConfigException("training.loss_scaling.growth_interval", "must be >= 1, got "
                    + growthInterval);
        }
    }
}
