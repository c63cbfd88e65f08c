package dev.jdpo.trainer.eval;

import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.TrainingListener;
import java.io.IOException;

/**
 * Runs the behavioural evaluation on the validation schedule ({@link EvaluationListener#due}), on the training
 * thread, and at {@link #atStart} before the first update (TRL's {@code eval_on_start}), so the first and last
 * reports are a before and after.
 */
public final class CriteriaEvaluationListener implements TrainingListener {

    /** Receives each report. */
    @FunctionalInterface
    public interface Sink {
        void onReport(CriteriaReport report) throws IOException;
    }

    private final CriteriaEvaluator evaluator;
    private final int evalSteps;
    private final Sink sink;

    /** @param evalSteps evaluate every N steps; 0 evaluates only after the last */
    public CriteriaEvaluationListener(CriteriaEvaluator evaluator, int evalSteps, Sink sink) {
        if (evalSteps < 0) {
            throw new IllegalArgumentException("eval_steps must be >= 0, got " + evalSteps);
        }
        this.evaluator = evaluator;
        this.evalSteps = evalSteps;
        this.sink = sink;
    }

    /** The evaluation of the starting weights, at step 0. */
    public void atStart() throws IOException {
        sink.onReport(evaluator.evaluate(0, 0));
    }

    @Override
    public void onStep(StepResult result, int totalSteps) throws IOException {
        int step = result.metrics().step();
        if (EvaluationListener.due(step, evalSteps, totalSteps)) {
            sink.onReport(evaluator.evaluate(step, result.metrics().epoch()));
        }
    }
}
