package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.v1.MetricsReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --metrics-out: refused before the run when it cannot be written; on resume it reads as one run. */
class MetricsFileTest {

    @TempDir
    Path tmp;

    @Test
    void aPathThatCannotBeWrittenIsRefusedUpFront() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("a-file"), "x");
        IOException refused = assertThrows(IOException.class, () -> new MetricsFile(blocker.resolve("m.jsonl"), 0));
        assertEquals("metrics_out: cannot write " + blocker.resolve("m.jsonl"), refused.getMessage());
        Path directory = Files.createDirectory(tmp.resolve("a-dir"));
        assertThrows(IOException.class, () -> new MetricsFile(directory, 0));
    }

    @Test
    void aResumedRunKeepsTheStepsUpToItsCheckpointAndSkipsTheirReportsAgain() throws Exception {
        Path file = tmp.resolve("nested/metrics.jsonl");
        try (MetricsFile first = new MetricsFile(file, 0)) {
            for (long step = 0; step <= 3; step++) {
                first.write(report(step, 1.0));
            }
        }
        try (MetricsFile resumed = new MetricsFile(file, 2)) {
            assertEquals(4, Files.readAllLines(file).size(), "nothing rewritten before the first report");
            resumed.write(report(0, 9.0));
            resumed.write(report(3, 2.0));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertEquals(List.of("0", "1", "2", "3"), lines.stream()
                .map(l -> l.replaceAll(".*\"step\":(\\d+).*", "$1")).toList());
        assertFalse(lines.get(0).contains("9.0"), "the repeated step-0 report was skipped");
        assertTrue(lines.get(3).contains("\"loss\":2.0"), lines.get(3));
    }

    private static MetricsReport report(long step, double loss) {
        return MetricsReport.newBuilder().setStep(step).setTotalSteps(3).putValues("loss", loss).build();
    }
}
