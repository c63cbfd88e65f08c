package dev.jdpo.trainer.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics reported at a logging step: TRL's keys averaged over the steps since the last report (loss, rewards,
 * logps, logits), the last step's grad_norm, learning_rate, epoch and num_tokens, and the interval's throughput.
 *
 * @param step the optimizer step reported
 * @param values metric name to value, in reporting order
 */
public record LoggedMetrics(int step, Map<String, Double> values) {

    public LoggedMetrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}
