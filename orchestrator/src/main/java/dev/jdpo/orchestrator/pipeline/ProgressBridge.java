package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.LoggedMetrics;
import dev.jdpo.trainer.run.TrainingListener;
import dev.jdpo.trainer.run.TrainingRun;
import java.nio.file.Path;
import java.util.Map;

/** Turns the trainer's step, log and checkpoint callbacks into run events, and stop requests into a cancel. */
final class ProgressBridge implements TrainingListener {

    private final TrainingRun run;
    private final RunReporter reporter;
    private Map<String, Double> lastLogged = Map.of();

    ProgressBridge(TrainingRun run, RunReporter reporter) {
        this.run = run;
        this.reporter = reporter;
    }

    @Override
    public void onStep(StepResult result, int totalSteps) {
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
