package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.LoggedMetrics;
import dev.jdpo.trainer.run.TrainingListener;
import dev.jdpo.trainer.run.TrainingRun;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns the trainer's step, log and checkpoint callbacks into run events (with evaluations on schedule), and stop
 * requests into a cancel.
 */
final class ProgressBridge implements TrainingListener {

    private final TrainingRun run;
    private final RunReporter reporter;
    private final Evaluator evaluator;
    private final long evalInterval;
    private Map<String, Double> lastLogged = Map.of();

    /**
     * @param evaluator    null when there are no validation pairs
     * @param evalInterval evaluate every N steps; 0 only after the last step
     */
    ProgressBridge(TrainingRun run, RunReporter reporter, Evaluator evaluator, long evalInterval) {
        this.run = run;
        this.reporter = reporter;
        this.evaluator = evaluator;
        this.evalInterval = evalInterval;
    }

    @Override
    public void onStep(StepResult result, int totalSteps) {
        int step = run.completedSteps();
        if (evaluator != null && ((evalInterval > 0 && step % evalInterval == 0) || step == totalSteps)) {
            reporter.metrics(step, totalSteps, result.metrics().epoch(), evaluator.evaluate(run.trainer().policy()));
        }
        if (reporter.stopRequested()) {
            run.cancel();
        }
    }

    @Override
    public void onLog(LoggedMetrics metrics) {
        lastLogged = metrics.values();
        reporter.metrics(metrics.step(), run.totalSteps(), metrics.values().getOrDefault("epoch", 0.0),
                metrics.values());
    }

    @Override
    public void onCheckpoint(int step, Path directory) {
        reporter.checkpoint(step, directory, lastLogged);
    }
}
