package dev.jdpo.trainer.run;

import dev.jdpo.trainer.engine.StepMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps since the last report, reduced as HF's Trainer logs them: means of the per-step values, the last
 * step's point-in-time values, throughput over the whole interval. Its partial sums go into checkpoints so a
 * resumed run reports the same numbers.
 */
final class MetricsWindow {

    private static final List<String> LAST = List.of("grad_norm", "learning_rate", "epoch", "num_tokens");
    /** Throughput is recomputed over the interval from the step sizes, never averaged. */
    private static final List<String> THROUGHPUT = List.of("tokens_per_second", "pairs_per_second");
    /** The FP16 loss scaler's state, present only when the policy trains in FP16. */
    private static final List<String> LOSS_SCALING = List.of("loss_scale", "skipped_steps", "loss_scale_growths");
    private static final String STEPS = "steps";
    private static final String TOKENS = "tokens";
    private static final String PAIRS = "pairs";
    private static final String SECONDS = "seconds";
    private static final List<String> COUNTS = List.of(STEPS, TOKENS, PAIRS, SECONDS);

    private final Map<String, Double> sums = new LinkedHashMap<>();

    void add(StepMetrics step) {
        // every other metric (DPO's rewards and log-probs, SFT's mean_token_accuracy) is averaged
        step.values().forEach((key, value) -> {
            if (LAST.contains(key) || LOSS_SCALING.contains(key)) {
                sums.put(key, value);
            } else if (!THROUGHPUT.contains(key)) {
                sums.merge(key, value, Double::sum);
            }
        });
        sums.merge(STEPS, 1.0, Double::sum);
        sums.merge(TOKENS, (double) step.tokens(), Double::sum);
        sums.merge(PAIRS, (double) step.pairs(), Double::sum);
        sums.merge(SECONDS, step.seconds(), Double::sum);
    }

    boolean isEmpty() {
        return sums.isEmpty();
    }

    /** The interval's report; the window starts over. */
    LoggedMetrics flush(int step) {
        double steps = sums.get(STEPS);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", sums.get("loss") / steps);
        values.put("grad_norm", sums.get("grad_norm"));
        values.put("learning_rate", sums.get("learning_rate"));
        values.put("epoch", sums.get("epoch"));
        sums.forEach((key, sum) -> {
            if (!key.equals("loss") && !LAST.contains(key) && !LOSS_SCALING.contains(key)
                    && !COUNTS.contains(key)) {
                values.put(key, sum / steps);
            }
        });
        values.put("num_tokens", sums.get("num_tokens"));
        double seconds = Math.max(1e-9, sums.get(SECONDS));
        values.put("tokens_per_second", sums.get(TOKENS) / seconds);
        values.put("pairs_per_second", sums.get(PAIRS) / seconds);
        LOSS_SCALING.stream().filter(sums::containsKey).forEach(key -> values.put(key, sums.get(key)));
        sums.clear();
        return new LoggedMetrics(step, values);
    }

    /** Partial sums, for a checkpoint. */
    Map<String, Double> snapshot() {
        return new LinkedHashMap<>(sums);
    }

    void restore(Map<String, Double> snapshot) {
        sums.clear();
        sums.putAll(snapshot);
    }
}
