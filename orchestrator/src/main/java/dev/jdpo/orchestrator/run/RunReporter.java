package dev.jdpo.orchestrator.run;

import dev.jdpo.proto.v1.EvalSamples;
import java.nio.file.Path;
import java.util.Map;

/** How an executor tells the orchestrator what happens in a run; thread-safe. */
public interface RunReporter {

    void info(String message);

    void warn(String message);

    /** Training or evaluation metrics at an optimizer step ("eval_" keys for evaluation). */
    void metrics(long step, long totalSteps, double epoch, Map<String, Double> values);

    /** A few answers of an in-run behavioural evaluation, with their verdicts (its pass rates come as metrics). */
    void evalSamples(EvalSamples samples);

    /** A resumable checkpoint was written completely to {@code dir}; it is listed and kept from now on. */
    void checkpoint(long step, Path dir, Map<String, Double> metrics);

    /** True once the run was cancelled or the orchestrator is shutting down: stop at the next step boundary. */
    boolean stopRequested();
}
