package dev.jdpo.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One JSON line per report; a resumed run drops the lines after its checkpoint. */
class MetricsLogTest {

    @Test
    void writesLinesAndKeepsOnlyThoseUpToTheResumedStep(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.jsonl");
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            for (int step = 1; step <= 4; step++) {
                log.onLog(new LoggedMetrics(step, Map.of("loss", step / 10.0)));
            }
        }
        assertEquals(List.of("{\"step\":1,\"loss\":0.1}", "{\"step\":2,\"loss\":0.2}", "{\"step\":3,\"loss\":0.3}",
                "{\"step\":4,\"loss\":0.4}"), Files.readAllLines(file, StandardCharsets.UTF_8));
        try (MetricsLog log = MetricsLog.open(file, 2)) {
            log.onLog(new LoggedMetrics(3, Map.of("loss", 0.5)));
        }
        assertEquals(List.of("{\"step\":1,\"loss\":0.1}", "{\"step\":2,\"loss\":0.2}", "{\"step\":3,\"loss\":0.5}"),
                Files.readAllLines(file, StandardCharsets.UTF_8));
    }
}
