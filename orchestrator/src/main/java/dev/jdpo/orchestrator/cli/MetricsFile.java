package dev.jdpo.orchestrator.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.proto.v1.MetricsReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --metrics-out}: one JSON object per metrics report of a run ({@code step}, {@code epoch} and every
 * value, e.g. {@code loss}, {@code rewards/accuracies}, {@code eval_loss}), flushed as it arrives.
 */
final class MetricsFile implements AutoCloseable {

    private final Path file;
    private final long resumedStep;
    private final List<String> kept = new ArrayList<>();
    private BufferedWriter out;

    /**
     * A file written from the first report on; a run resumed at {@code resumedStep} keeps the lines of steps up
     * to it, so the file reads as one run, without the steps done again. Nothing is written here (the path is
     * only checked for writing), so a run refused at creation leaves an earlier file as it was.
     *
     * @throws IOException when a resumed run's file cannot be read or holds lines that are not jdpo metrics
     */
    MetricsFile(Path file, long resumedStep) throws IOException {
        this.file = file;
        this.resumedStep = resumedStep;
        requireWritable(file);
        if (resumedStep > 0 && Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank() && stepOf(file, lines.get(i), i + 1) <= resumedStep) {
                    kept.add(lines.get(i));
                }
            }
        }
    }

    /** Refuses a path the run could not write to, before the run starts rather than in its middle. */
    private static void requireWritable(Path file) throws IOException {
        Path existing = file.toAbsolutePath().getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        boolean writable = Files.exists(file) ? Files.isRegularFile(file) && Files.isWritable(file)
                : existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
        if (!writable) {
            throw new IOException("metrics_out: cannot write " + file);
        }
    }

    private BufferedWriter open() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * Writes a report, except on a resumed run one of a step the file already holds (the step-0 reference/
     * counters).
     */
    void write(MetricsReport report) {
        if (resumedStep > 0 && report.getStep() <= resumedStep) {
            return;
        }
        JsonObject line = new JsonObject();
        line.addProperty("step", report.getStep());
        line.addProperty("epoch", report.getEpoch());
        Map<String, Double> values = new TreeMap<>(report.getValuesMap());
        values.forEach(line::addProperty);
        try {
            if (out == null) {
                out = open();
            }
            out.write(line.toString());
            out.newLine();
            out.flush();
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot write " + file + ": " + failed.getMessage(), failed);
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }

    private static long stepOf(Path file, String line, int number) throws IOException {
        try {
            return JsonParser.parseString(line).getAsJsonObject().get("step").getAsLong();
        } catch (RuntimeException notOurs) {
            throw new IOException("metrics_out: " + file + " line " + number + " is not a metrics line of jdpo "
                    + "(no \"step\"); choose another file to resume into");
        }
    }
}
