package dev.jdpo.orchestrator.run;

import dev.jdpo.orchestrator.state.CheckpointRepository;
import dev.jdpo.orchestrator.state.EventJournal;
import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunError;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.StatusChange;
import dev.jdpo.proto.v1.TrainingConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Appends run events (durably, with the next sequence) and wakes whoever follows the run. Listeners must
 * not block: the caller is a training loop.
 */
public final class EventLog {

    /** Stops the notifications of one {@link #subscribe} call. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final EventJournal journal;
    private final Clock clock;
    private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
    private final Set<Consumer<RunEvent>> observers = ConcurrentHashMap.newKeySet();

    public EventLog(EventJournal journal, Clock clock) {
        this.journal = journal;
        this.clock = clock;
    }

    /** Calls {@code onAppend} after each event stored for {@code runId}. */
    public Subscription subscribe(String runId, Runnable onAppend) {
        listeners.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(onAppend);
        return () -> listeners.computeIfPresent(runId, (id, set) -> {
            set.remove(onAppend);
            return set.isEmpty() ? null : set;
        });
    }

    /** Calls {@code observer} with every event stored from now on, of every run. */
    public Subscription observe(Consumer<RunEvent> observer) {
        observers.add(observer);
        return () -> observers.remove(observer);
    }

    public List<RunEvent> readAfter(String runId, long afterSequence, int limit) {
        return journal.readAfter(runId, afterSequence, limit);
    }

    /** The stored event, or null when the run had already reached a terminal status. */
    RunEvent append(RunEvent.Builder draft) {
        RunEvent stored = journal.append(draft.setTime(Timestamps.ofMillis(clock.millis())));
        if (stored != null) {
            listeners.getOrDefault(stored.getRunId(), Set.of()).forEach(Runnable::run);
            observers.forEach(observer -> observer.accept(stored));
        }
        return stored;
    }

    RunEvent message(String runId, EventLevel level, String message) {
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(level).setMessage(message));
    }

    RunEvent status(String runId, RunStatus status, String message) {
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_INFO).setMessage(message)
                .setStatusChange(StatusChange.newBuilder().setStatus(status)));
    }

    RunEvent failed(String runId, RunError error) {
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_ERROR)
                .setMessage("Run failed: " + error.getMessage())
                .setStatusChange(StatusChange.newBuilder().setStatus(RunStatus.RUN_STATUS_FAILED).setError(error)));
    }

    RunEvent succeeded(String runId, Path modelDir) {
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_INFO)
                .setMessage("Run succeeded; aligned model in " + modelDir)
                .setStatusChange(StatusChange.newBuilder().setStatus(RunStatus.RUN_STATUS_SUCCEEDED)
                        .setResultModelDir(modelDir.toString())));
    }

    RunEvent hyperparameters(String runId, ResolvedHyperparameters hyperparameters, TrainingConfig training) {
        String message = HyperparametersLine.describe(hyperparameters, training);
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_INFO).setMessage(message)
                .setHyperparameters(hyperparameters));
    }

    RunEvent metrics(String runId, MetricsReport report) {
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_INFO)
                .setMessage("Step " + report.getStep() + "/" + report.getTotalSteps())
                .setMetrics(report));
    }

    RunEvent evalSamples(String runId, EvalSamples samples) {
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_INFO)
                .setMessage(samples.getSamplesCount() + " sample answer(s) of the evaluation at step " + samples.getStep())
                .setEvalSamples(samples));
    }

    RunEvent checkpoint(String runId, long step, Path dir, Map<String, Double> metrics) {
        Checkpoint checkpoint = Checkpoint.newBuilder()
                .setId(CheckpointRepository.checkpointId(runId, step))
                .setRunId(runId)
                .setStep(step)
                .setPath(dir.toString())
                .setCreatedAt(Timestamps.ofMillis(clock.millis()))
                .putAllMetrics(metrics)
                .build();
        return append(RunEvent.newBuilder().setRunId(runId).setLevel(EventLevel.EVENT_LEVEL_INFO)
                .setMessage("Checkpoint at step " + step + ": " + dir)
                .setCheckpoint(checkpoint));
    }
}
