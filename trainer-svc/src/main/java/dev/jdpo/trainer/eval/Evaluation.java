package dev.jdpo.trainer.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validation metrics at one optimizer step, with TRL's {@code eval_} names.
 *
 * @param step optimizer steps completed when the weights were evaluated
 * @param values metric name to value, in reporting order
 */
public record Evaluation(int step, Map<String, Double> values) {

    public Evaluation {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}
