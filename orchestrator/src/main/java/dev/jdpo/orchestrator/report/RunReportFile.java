package dev.jdpo.orchestrator.report;

import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Writes a run's report page, {@code report.html} in its output directory by default. */
public final class RunReportFile {

    public static final String NAME = "report.html";
    private static final int PAGE = 1000;

    /** Reads a run's events after a sequence, up to a limit: the event log, or the run API. */
    @FunctionalInterface
    public interface EventSource {
        List<RunEvent> readAfter(String runId, long afterSequence, int limit);
    }

    private RunReportFile() {
    }

    /** Every event of the run up to its {@code last_sequence}, in order. */
    public static List<RunEvent> events(Run run, EventSource source) {
        List<RunEvent> events = new ArrayList<>();
        long cursor = 0;
        while (cursor < run.getLastSequence()) {
            List<RunEvent> page = source.readAfter(run.getId(), cursor, PAGE);
            if (page.isEmpty()) {
                break;
            }
            for (RunEvent event : page) {
                if (event.getSequence() <= run.getLastSequence()) {
                    events.add(event);
                }
            }
            cursor = page.get(page.size() - 1).getSequence();
        }
        return events;
    }

    /** Writes the page to {@code file} through a temporary file, so a reader never sees half of it. */
    public static Path write(RunReport report, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, ".report", ".partial");
        try {
            Files.writeString(partial, report.html(), StandardCharsets.UTF_8);
            return Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
