package dev.jdpo.trainer.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics file: one JSON object per logging step, {@code {"step": N, "loss": ..., ...}}, flushed per line.
 * A resumed run keeps the lines up to its checkpoint's step and drops later ones, which the interrupted run may
 * have written past its last checkpoint.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final BufferedWriter writer;

    private MetricsLog(BufferedWriter writer) {
        this.writer = writer;
    }

    /**
     * Opens {@code file}, keeping existing lines whose step is at most {@code keepThroughStep} (0 starts a new
     * file).
     */
    public static MetricsLog open(Path file, int keepThroughStep) throws IOException {
        List<String> kept = new ArrayList<>();
        if (keepThroughStep > 0 && Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && stepOf(file, line) <= keepThroughStep) {
                    kept.add(line);
                }
            }
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        for (String line : kept) {
            writer.write(line);
            writer.newLine();
        }
        writer.flush();
        return new MetricsLog(writer);
    }

    @Override
    public void onLog(LoggedMetrics metrics) throws IOException {
        JsonObject line = new JsonObject();
        line.addProperty("step", metrics.step());
        metrics.values().forEach(line::addProperty);
        writer.write(GSON.toJson(line));
        writer.newLine();
        writer.flush();
    }

    private static long stepOf(Path file, String line) throws IOException {
        try {
            return JsonParser.parseString(line).getAsJsonObject().get("step").getAsLong();
        } catch (RuntimeException e) {
            throw new IOException(file + ": cannot read metrics line '" + line + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
