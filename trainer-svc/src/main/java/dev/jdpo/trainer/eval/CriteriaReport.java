package dev.jdpo.trainer.eval;

import dev.jdpo.evaluation.Judged;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One in-run behavioural evaluation.
 *
 * @param step optimizer steps completed when the answers were generated (0: before any update)
 * @param metrics {@code eval_criteria/<name>} pass rates in criteria order, and {@code epoch}
 * @param samples the first answers with their verdicts
 */
public record CriteriaReport(int step, Map<String, Double> metrics, List<Judged> samples) {

    public CriteriaReport {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        samples = List.copyOf(samples);
    }
}
