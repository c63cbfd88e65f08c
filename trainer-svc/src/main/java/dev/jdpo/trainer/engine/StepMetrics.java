package dev.jdpo.trainer.engine;

import dev.jdpo.trainer.optim.LossScaler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one optimizer step with TRL's meanings: loss and grad_norm as computed before the update (grad_norm
 * before clipping), learning_rate as applied by this step's update, rewards = beta x log-ratio per pair averaged
 * over the step's pairs, logps = summed sequence log-probs averaged over pairs, logits = vocabulary-mean logit
 * averaged over completion tokens, num_tokens = non-padding tokens seen so far (cumulative). {@code pairs},
 * {@code tokens} and {@code seconds} are this step's size and wall time, from which the throughput follows. In FP16 training
 * {@code lossScaling} is the loss scaler after this step (reported as loss_scale, skipped_steps and
 * loss_scale_growths, counts since the run began); null otherwise. A skipped step reports grad_norm 0: its
 * gradients overflowed and nothing was applied.
 */
public record StepMetrics(
        int step,
        double loss,
        double gradNorm,
        double learningRate,
        double epoch,
        double rewardsChosen,
        double rewardsRejected,
        double rewardsAccuracies,
        double rewardsMargins,
        double logpsChosen,
        double logpsRejected,
        double logitsChosen,
        double logitsRejected,
        long numTokens,
        int pairs,
        long tokens,
        double seconds,
        boolean sft,
        double meanTokenAccuracy,
        LossScaler.State lossScaling) {

    /** Keys in the order they are reported, as TRL names them plus throughput. */
    public Map<String, Double> values() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", loss);
        values.put("grad_norm", gradNorm);
        values.put("learning_rate", learningRate);
        values.put("epoch", epoch);
        if (sft) {
            values.put("mean_token_accuracy", meanTokenAccuracy);
        } else {
            putPreferenceMetrics(values);
        }
        values.put("num_tokens", (double) numTokens);
        values.put("tokens_per_second", tokens / seconds);
        values.put("pairs_per_second", pairs / seconds);
        if (lossScaling != null) {
            values.put("loss_scale", lossScaling.scale());
            values.put("skipped_steps", (double) lossScaling.skippedSteps());
            values.put("loss_scale_growths", (double) lossScaling.growths());
        }
        return values;
    }

    private void putPreferenceMetrics(Map<String, Double> values) {
        values.put("rewards/chosen", rewardsChosen);
        values.put("rewards/rejected", rewardsRejected);
        values.put("rewards/accuracies", rewardsAccuracies);
        values.put("rewards/margins", rewardsMargins);
        values.put("logps/chosen", logpsChosen);
        values.put("logps/rejected", logpsRejected);
        values.put("logits/chosen", logitsChosen);
        values.put("logits/rejected", logitsRejected);
    }
}
