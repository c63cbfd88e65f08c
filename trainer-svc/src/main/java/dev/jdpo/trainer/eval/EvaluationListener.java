package dev.jdpo.trainer.eval;

import dev.jdpo.trainer.engine.StepMetrics;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.TrainingListener;
import java.io.IOException;

/**
 * Evaluates every {@code evalSteps} optimizer steps and after the last one (HF's {@code eval_strategy="steps"}
 * plus a final evaluation), right after the step and before its log line and checkpoint, on the training thread.
 */
public final class EvaluationListener implements TrainingListener {

    /** Receives each evaluation. */
    @FunctionalInterface
    public interface Sink {
        void onEvaluation(Evaluation evaluation) throws IOException;
    }

    private final Evaluator evaluator;
    private final int evalSteps;
    private final Sink sink;

    /** @param evalSteps evaluate every N steps; 0 evaluates only after the last step */
    public EvaluationListener(Evaluator evaluator, int evalSteps, Sink sink) {
        if (evalSteps < 0) {
            throw new IllegalArgumentException("eval_steps must be >= 0, got " + evalSteps);
        }
        this.evaluator = evaluator;
        this.evalSteps = evalSteps;
        this.sink = sink;
    }

    @Override
    public void onStep(StepResult result, int totalSteps) throws IOException {
        StepMetrics metrics = result.metrics();
        int step = metrics.step();
        if (due(step, evalSteps, totalSteps)) {
            sink.onEvaluation(evaluator.evaluate(step, metrics.epoch()));
        }
    }

    /** Whether step {@code step} of {@code totalSteps} evaluates, every {@code evalSteps} (0: after the last). */
    public static boolean due(int step, int evalSteps, int totalSteps) {
        return (evalSteps > 0 && step % evalSteps == 0) || step == totalSteps;
    }
}
