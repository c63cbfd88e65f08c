package dev.jdpo.orchestrator.testing;

import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunExecutor;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.RunConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test executor that "trains" by sleeping: one metrics event per step, a checkpoint directory every
 * {@code checkpointEvery} steps and when stopped, so the API layer can be tested without the engines.
 */
public final class ScriptedRunExecutor implements RunExecutor {

    private final long trainingPairs;
    private final long stepMillis;
    private final int checkpointEvery;
    private final long failAtStep;
    private final List<RunStart> starts = new CopyOnWriteArrayList<>();

    /** @param failAtStep step whose start throws a RunFailure; 0 for never */
    public ScriptedRunExecutor(long trainingPairs, long stepMillis, int checkpointEvery, long failAtStep) {
        this.trainingPairs = trainingPairs;
        this.stepMillis = stepMillis;
        this.checkpointEvery = checkpointEvery;
        this.failAtStep = failAtStep;
    }

    public ScriptedRunExecutor(long trainingPairs, long stepMillis, int checkpointEvery) {
        this(trainingPairs, stepMillis, checkpointEvery, 0);
    }

    /** Every start and resume this executor received, in order. */
    public List<RunStart> starts() {
        return starts;
    }

    @Override
    public Optional<DataSummary> validateFiles(RunConfig config, RunReporter reporter) {
        reporter.info("Counted " + trainingPairs + " pairs in " + config.getData().getTrainingFile());
        return Optional.of(new DataSummary(trainingPairs, 0));
    }

    @Override
    public RunOutcome execute(RunStart start, RunReporter reporter) throws RunFailure, InterruptedException {
        starts.add(start);
        Path output = Path.of(start.config().getOutput().getOutputDir());
        long total = start.hyperparameters().getTotalSteps();
        long step = start.resumeFrom().map(Checkpoint::getStep).orElse(0L);
        long lastCheckpoint = step;
        while (step < total) {
            if (reporter.stopRequested()) {
                if (step > lastCheckpoint) {
                    reporter.checkpoint(step, directory(output.resolve("checkpoint-" + step)), Map.of("loss", loss(step)));
                }
                return new RunOutcome.Stopped(step);
            }
            if (step + 1 == failAtStep) {
                throw new RunFailure("service_unavailable", "reference service unreachable at step " + failAtStep, "");
            }
            Thread.sleep(stepMillis);
            step++;
            reporter.metrics(step, total, (double) step / total, Map.of("loss", loss(step), "rewards/accuracies", 0.5));
            if (checkpointEvery > 0 && step % checkpointEvery == 0) {
                reporter.checkpoint(step, directory(output.resolve("checkpoint-" + step)), Map.of("loss", loss(step)));
                lastCheckpoint = step;
            }
        }
        return new RunOutcome.Completed(directory(output.resolve("final")));
    }

    private static double loss(long step) {
        return 1.0 / step;
    }

    private static Path directory(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
