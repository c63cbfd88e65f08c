package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.v1.EvalSamples;
import java.nio.file.Path;
import java.util.Map;

/**
 * One stage of a multi-stage run as the run sees it: its events name the stage, and its steps follow the earlier
 * stages' ({@code offset}), so the run's metrics and checkpoints keep one increasing step.
 */
final class StageReporter implements RunReporter {

    private final RunReporter run;
    private final String stage;
    private final long offset;

    StageReporter(RunReporter run, String stage, long offset) {
        this.run = run;
        this.stage = stage;
        this.offset = offset;
    }

    @Override
    public void info(String message) {
        run.info(stage + ": " + message);
    }

    @Override
    public void warn(String message) {
        run.warn(stage + ": " + message);
    }

    @Override
    public void metrics(long step, long totalSteps, double epoch, Map<String, Double> values) {
        run.metrics(offset + step, offset + totalSteps, epoch, values);
    }

    @Override
    public void evalSamples(EvalSamples samples) {
        run.evalSamples(samples.toBuilder().setStep(offset + samples.getStep()).build());
    }

    @Override
    public void checkpoint(long step, Path dir, Map<String, Double> metrics) {
        run.checkpoint(offset + step, dir, metrics);
    }

    @Override
    public boolean stopRequested() {
        return run.stopRequested();
    }
}
