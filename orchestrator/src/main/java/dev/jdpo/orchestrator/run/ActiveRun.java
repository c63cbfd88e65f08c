package dev.jdpo.orchestrator.run;

import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.orchestrator.tensorboard.TensorBoardLog;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A run that is being validated or trained in this process: its stop flags and its reporter, which records
 * metrics in the event log and in the run's TensorBoard log.
 */
final class ActiveRun implements RunReporter {

    private final String runId;
    private final EventLog log;
    private final TensorBoardLog tensorBoard;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean cancelRequested;
    private volatile boolean shutdownRequested;

    ActiveRun(String runId, EventLog log, TensorBoardLog tensorBoard) {
        this.runId = runId;
        this.log = log;
        this.tensorBoard = tensorBoard;
    }

    String runId() {
        return runId;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    void requestShutdown() {
        shutdownRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    boolean shutdownRequested() {
        return shutdownRequested;
    }

    CompletableFuture<Void> finished() {
        return finished;
    }

    /** Closes this attempt's TensorBoard file; call once the executor has returned. */
    void closeTensorBoard() throws IOException {
        tensorBoard.close();
    }

    @Override
    public boolean stopRequested() {
        return cancelRequested || shutdownRequested;
    }

    @Override
    public void info(String message) {
        log.message(runId, EventLevel.EVENT_LEVEL_INFO, message);
    }

    @Override
    public void warn(String message) {
        log.message(runId, EventLevel.EVENT_LEVEL_WARN, message);
    }

    @Override
    public void metrics(long step, long totalSteps, double epoch, Map<String, Double> values) {
        RunEvent stored = log.metrics(runId, MetricsReport.newBuilder().setStep(step).setTotalSteps(totalSteps)
                .setEpoch(epoch).putAllValues(values).build());
        if (stored != null) {
            try {
                tensorBoard.write(stored.getMetrics(), Timestamps.toInstant(stored.getTime()));
            } catch (IOException failed) {
                warn("TensorBoard logging stopped: " + failed.getMessage());
            }
        }
    }

    @Override
    public void evalSamples(EvalSamples samples) {
        log.evalSamples(runId, samples);
    }

    @Override
    public void checkpoint(long step, Path dir, Map<String, Double> metrics) {
        log.checkpoint(runId, step, dir, metrics);
    }
}
