package dev.jdpo.orchestrator.testing;

import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.v1.EvalSamples;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** A run reporter that records an executor's messages and checkpoints; {@link #stop} is the run's stop flag. */
public final class RecordingReporter implements RunReporter {

    public final List<String> messages = new CopyOnWriteArrayList<>();
    /** Step -> directory of every checkpoint registered. */
    public final Map<Long, Path> checkpoints = new ConcurrentSkipListMap<>();
    /** Every in-run evaluation's sample answers. */
    public final List<EvalSamples> samples = new CopyOnWriteArrayList<>();
    public final AtomicBoolean stop = new AtomicBoolean();
    private final boolean stopOnWarning;
    private final boolean stopOnCheckpoint;

    public RecordingReporter() {
        this(false, false);
    }

    private RecordingReporter(boolean stopOnWarning, boolean stopOnCheckpoint) {
        this.stopOnWarning = stopOnWarning;
        this.stopOnCheckpoint = stopOnCheckpoint;
    }

    /** A reporter that asks to stop as soon as a warning (such as a retry) is reported. */
    public static RecordingReporter stoppingOnWarning() {
        return new RecordingReporter(true, false);
    }

    /** A reporter that asks to stop as soon as a checkpoint is registered: a cancel at a known step of the run. */
    public static RecordingReporter stoppingOnCheckpoint() {
        return new RecordingReporter(false, true);
    }

    @Override
    public void info(String message) {
        messages.add(message);
    }

    @Override
    public void warn(String message) {
        messages.add(message);
        if (stopOnWarning) {
            stop.set(true);
        }
    }

    @Override
    public void metrics(long step, long totalSteps, double epoch, Map<String, Double> values) {
    }

    @Override
    public void evalSamples(EvalSamples samples) {
        this.samples.add(samples);
    }

    @Override
    public void checkpoint(long step, Path dir, Map<String, Double> metrics) {
        checkpoints.put(step, dir);
        if (stopOnCheckpoint) {
            stop.set(true);
        }
    }

    @Override
    public boolean stopRequested() {
        return stop.get();
    }
}
