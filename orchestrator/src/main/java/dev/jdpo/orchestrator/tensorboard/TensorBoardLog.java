package dev.jdpo.orchestrator.tensorboard;

import dev.jdpo.proto.internal.tensorboard.Event;
import dev.jdpo.proto.internal.tensorboard.SessionLog;
import dev.jdpo.proto.internal.tensorboard.Summary;
import dev.jdpo.proto.v1.MetricsReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's metrics as TensorBoard scalars, laid out and named as transformers' TensorBoard callback does for TRL:
 * {@code output_dir/runs/<MonDD_HH-MM-SS>_<host>/} (the run's creation time, so an orchestrator that resumes the run
 * writes to the same directory), tags {@code train/<name>} and {@code eval/<name>} for {@code eval_<name>}.
 * Each process attempt writes its own file, opened at the first report. Thread-safe.
 */
public final class TensorBoardLog implements AutoCloseable {

    private static final DateTimeFormatter RUN_DIR_TIME = DateTimeFormatter.ofPattern("MMMdd_HH-mm-ss", Locale.ENGLISH);
    private static final String EVAL_PREFIX = "eval_";

    private final Path directory;
    private final long resumedStep;
    private EventFile file;
    private boolean stopped;

    /**
     * @param resumedStep the checkpoint step an orchestrator resumes the run from (0 for a start): reports up to it
     *                    are not written again, and TensorBoard is told to drop the earlier attempt's later steps
     */
    public TensorBoardLog(Path outputDir, Instant runCreated, long resumedStep) {
        this.directory = outputDir.resolve("runs").resolve(
                RUN_DIR_TIME.format(runCreated.atZone(ZoneId.systemDefault())) + "_" + EventFile.HOST);
        this.resumedStep = resumedStep;
    }

    public Path directory() {
        return directory;
    }

    /**
     * Writes a report's epoch and values as scalars at its step. After a failed write the log stays silent, so a
     * full disk costs the run its TensorBoard curves, not its training.
     *
     * @throws IOException when the file cannot be created or written (once)
     */
    public synchronized void write(MetricsReport report, Instant time) throws IOException {
        if (stopped || (resumedStep > 0 && report.getStep() <= resumedStep)) {
            return;
        }
        double wallTime = time.toEpochMilli() / 1000.0;
        try {
            if (file == null) {
                file = EventFile.create(directory, wallTime);
                if (resumedStep > 0) {
                    file.write(Event.newBuilder().setWallTime(wallTime).setStep(resumedStep + 1)
                            .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START)).build());
                }
            }
            file.write(Event.newBuilder().setWallTime(wallTime).setStep(report.getStep())
                    .setSummary(scalars(report)).build());
        } catch (IOException failed) {
            stopped = true;
            closeQuietly();
            throw new IOException("cannot write TensorBoard events under " + directory + ": " + failed.getMessage(),
                    failed);
        }
    }

    /** The epoch and every value, as transformers' {@code rewrite_logs} names them. */
    private static Summary scalars(MetricsReport report) {
        Map<String, Double> values = new TreeMap<>(report.getValuesMap());
        values.putIfAbsent("epoch", report.getEpoch());
        Summary.Builder summary = Summary.newBuilder();
        values.forEach((name, value) -> summary.addValue(Summary.Value.newBuilder().setTag(tag(name))
                .setSimpleValue(value.floatValue())));
        return summary.build();
    }

    static String tag(String metric) {
        return metric.startsWith(EVAL_PREFIX) ? "eval/" + metric.substring(EVAL_PREFIX.length()) : "train/" + metric;
    }

    @Override
    public synchronized void close() throws IOException {
        stopped = true;
        if (file != null) {
            file.close();
            file = null;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException alreadyFailing) {
            // the write's failure is the one reported
        }
    }
}
