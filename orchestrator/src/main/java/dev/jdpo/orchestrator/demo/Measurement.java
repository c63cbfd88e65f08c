package dev.jdpo.orchestrator.demo;

import dev.jdpo.evaluation.Judged;
import java.util.List;

/**
 * How one model answered the held-out prompts.
 *
 * @param violations answers that failed a criterion
 * @param judged every answer with its verdicts, in prompt order
 */
public record Measurement(int violations, List<Judged> judged) {

    public Measurement {
        judged = List.copyOf(judged);
    }

    public int total() {
        return judged.size();
    }

    public double violationRate() {
        return judged.isEmpty() ? 0 : (double) violations / judged.size();
    }
}
