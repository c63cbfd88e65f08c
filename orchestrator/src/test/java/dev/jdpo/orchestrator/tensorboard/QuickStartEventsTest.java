package dev.jdpo.orchestrator.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.orchestrator.cli.JdpoCli;
import dev.jdpo.orchestrator.testing.PythonEventReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A short run of the quick-start config through {@code jdpo train}: its TensorBoard files, read back by the
 * independent Python reader, hold every value of {@code --metrics-out} (rounded to 32-bit floats) and nothing else.
 */
class QuickStartEventsTest {

    @TempDir
    Path tmp;

    @Test
    void eventFilesHoldEveryMetricsOutValue() throws Exception {
        Path repo = Path.of(System.getProperty("jdpo.repo.root"));
        Path out = tmp.resolve("out");
        Path metricsOut = tmp.resolve("metrics.jsonl");
        StringWriter console = new StringWriter();
        CommandLine cli = JdpoCli.newCommandLine();
        cli.setOut(new PrintWriter(console));
        cli.setErr(new PrintWriter(console));
        int exit = cli.execute("train", "--config", repo.resolve("examples/quickstart.yaml").toString(),
                "--policy", repo.resolve("examples/tiny-llama").toString(),
                "--reference", repo.resolve("examples/tiny-llama-ref").toString(),
                "--data", repo.resolve("examples/data/quickstart.jsonl").toString(),
                "--output", out.toString(), "--metrics-out", metricsOut.toString(),
                "--state-dir", tmp.resolve("state").toString(), "--max-steps", "4", "--eval-steps", "2");
        assertEquals(0, exit, console.toString());

        Map<String, Map<Long, Float>> scalars = PythonEventReader.scalars(out.resolve("runs"), tmp);
        Set<String> expected = new HashSet<>();
        for (String line : Files.readAllLines(metricsOut, StandardCharsets.UTF_8)) {
            JsonObject metrics = JsonParser.parseString(line).getAsJsonObject();
            long step = metrics.get("step").getAsLong();
            for (String key : metrics.keySet()) {
                if (key.equals("step")) {
                    continue;
                }
                String tag = TensorBoardLog.tag(key);
                Float logged = scalars.getOrDefault(tag, Map.of()).get(step);
                assertNotNull(logged, tag + " at step " + step + " is missing: " + scalars.keySet());
                // TensorBoard's scalars are 32-bit: the float nearest to the file's double
                assertEquals((float) metrics.get(key).getAsDouble(), logged, tag + " at step " + step);
                expected.add(tag + "@" + step);
            }
        }
        for (String tag : List.of("train/loss", "train/rewards/accuracies", "train/learning_rate")) {
            assertEquals(Set.of(1L, 2L, 3L, 4L), scalars.get(tag).keySet(), tag + " at every logged step");
        }
        assertEquals(Set.of(2L, 4L), scalars.get("eval/loss").keySet(), "evaluations at --eval-steps 2");
        Set<String> logged = new HashSet<>();
        scalars.forEach((tag, steps) -> steps.keySet().forEach(step -> logged.add(tag + "@" + step)));
        assertEquals(expected, logged, "nothing but --metrics-out's values");
        try (Stream<Path> dirs = Files.list(out.resolve("runs"))) {
            assertTrue(dirs.allMatch(dir -> dir.getFileName().toString().matches("[A-Z][a-z]{2}\\d{2}_.+")));
        }
    }
}
