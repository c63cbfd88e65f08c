package dev.jdpo.trainer.optim;

import dev.jdpo.trainer.config.SchedulerType;

/**
 * Learning rate per optimizer step, matching transformers' {@code get_constant_schedule_with_warmup},
 * {@code get_linear_schedule_with_warmup} and {@code get_cosine_schedule_with_warmup} (half a cosine cycle).
 * As with HF's LambdaLR, the update of step k (1-based) uses the multiplier for k-1 completed steps, so with
 * warmup the first update has learning rate 0.
 *
 * @param type decay after warmup
 * @param peak the base learning rate
 * @param warmupSteps linear warmup length
 * @param totalSteps optimizer steps of the whole run
 */
public record LearningRateSchedule(SchedulerType type, double peak, int warmupSteps, int totalSteps) {

    /** Warmup from explicit steps, else from a ratio of the total as HF does: ceil(total x ratio). */
    public static LearningRateSchedule of(SchedulerType type, double peak, int warmupSteps, double warmupRatio,
                                          int totalSteps) {
        int warmup = warmupSteps > 0 ? warmupSteps : (int) Math.ceil(totalSteps * warmupRatio);
        return new LearningRateSchedule(type, peak, warmup, totalSteps);
    }

    /** The learning rate applied by optimizer step {@code step} (1-based). */
    public double learningRate(int step) {
        return peak * multiplier(step - 1);
    }

    /** HF's lr_lambda after {@code completed} optimizer steps. */
    public double multiplier(int completed) {
        if (completed < warmupSteps) {
            return (double) completed / Math.max(1, warmupSteps);
        }
        return switch (type) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - completed) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> {
                double progress = (double) (completed - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            }
        };
    }
}
