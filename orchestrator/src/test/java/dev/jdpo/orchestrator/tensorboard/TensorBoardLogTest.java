package dev.jdpo.orchestrator.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.testing.PythonEventReader;
import dev.jdpo.proto.v1.MetricsReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TensorBoard log's layout, names, resume and failure handling, read back by the independent Python reader. */
class TensorBoardLogTest {

    private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path tmp;

    private static MetricsReport report(long step, double loss) {
        return MetricsReport.newBuilder().setStep(step).setEpoch(step / 10.0)
                .putValues("loss", loss).putValues("rewards/accuracies", 0.25 * step).build();
    }

    @Test
    void namesFollowTransformersAndTheDirectoryTheRunsCreationTime() throws Exception {
        Path out = tmp.resolve("out");
        try (TensorBoardLog log = new TensorBoardLog(out, CREATED, 0)) {
            assertTrue(log.directory().getFileName().toString().matches("[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_.+"),
                    log.directory().toString());
            assertEquals(out.resolve("runs"), log.directory().getParent());
            log.write(report(1, 0.693), CREATED);
            log.write(MetricsReport.newBuilder().setStep(1).setEpoch(0.1).putValues("eval_loss", 0.7)
                    .putValues("eval_rewards/margins", -0.125).build(), CREATED);
        }
        try (Stream<Path> files = Files.list(out.resolve("runs"))) {
            Path dir = files.findFirst().orElseThrow();
            try (Stream<Path> events = Files.list(dir)) {
                List<String> names = events.map(p -> p.getFileName().toString()).toList();
                assertEquals(1, names.size());
                assertTrue(names.get(0).matches("events\\.out\\.tfevents\\.\\d{10}\\..+\\.\\d+\\.\\d+"), names.get(0));
            }
        }
        Map<String, Map<Long, Float>> scalars = PythonEventReader.scalars(out.resolve("runs"), tmp);
        assertEquals(Map.of(
                "train/loss", Map.of(1L, 0.693f),
                "train/rewards/accuracies", Map.of(1L, 0.25f),
                "train/epoch", Map.of(1L, 0.1f),
                "eval/loss", Map.of(1L, 0.7f),
                "eval/rewards/margins", Map.of(1L, -0.125f)), scalars);
    }

    @Test
    void aResumedRunAppendsAFileThatReplacesTheStepsAfterItsCheckpoint() throws Exception {
        Path out = tmp.resolve("out");
        try (TensorBoardLog first = new TensorBoardLog(out, CREATED, 0)) {
            for (long step = 0; step <= 5; step++) {
                first.write(report(step, 1.0 + step), CREATED);
            }
        }
        try (TensorBoardLog resumed = new TensorBoardLog(out, CREATED, 3)) {
            for (long step : new long[] {0, 4, 5, 6}) {
                resumed.write(report(step, 2.0 + step), CREATED.plusSeconds(60));
            }
        }
        try (Stream<Path> dirs = Files.list(out.resolve("runs"))) {
            Path dir = dirs.reduce((a, b) -> {
                throw new AssertionError("one directory for both attempts: " + a + ", " + b);
            }).orElseThrow();
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(2, files.count(), "a file per attempt");
            }
        }
        Map<Long, Float> loss = PythonEventReader.scalars(out.resolve("runs"), tmp).get("train/loss");
        assertEquals(Map.of(0L, 1f, 1L, 2f, 2L, 3f, 3L, 4f, 4L, 6f, 5L, 7f, 6L, 8f), loss,
                "steps up to the checkpoint from the first attempt, later ones from the resumed one");
    }

    @Test
    void aFailedWriteIsReportedOnceAndTheLogThenStaysSilent() throws Exception {
        Path blocked = Files.writeString(tmp.resolve("not-a-dir"), "a file where output_dir/runs would go");
        try (TensorBoardLog log = new TensorBoardLog(blocked, CREATED, 0)) {
            IOException failed = assertThrows(IOException.class, () -> log.write(report(1, 1), CREATED));
            assertTrue(failed.getMessage().startsWith("cannot write TensorBoard events under " + log.directory()),
                    failed.getMessage());
            log.write(report(2, 1), CREATED);
        }
    }
}
