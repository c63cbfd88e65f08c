package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.orchestrator.demo.DemoResult;
import dev.jdpo.orchestrator.demo.DemoSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduced {@code jdpo demo} (a few steps per stage, 16 held-out prompts): every stage runs through the embedded
 * orchestrator, and the table's numbers are the verdicts on the generated answers. Whether DPO cuts the violation
 * rate at full size is measured by bench/demo.sh, not here.
 */
class DemoTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final int HELD_OUT = 16;

    @TempDir Path tmp;

    private static DemoSettings reduced() {
        return new DemoSettings(3, 64, HELD_OUT, 0.6, 32, 1, 3e-3, 1, 2e-4, 0.1, 16, 16);
    }

    @Test
    void runsEveryStageAndReportsTheViolationRatesOfTheGeneratedAnswers() throws Exception {
        Path out = tmp.resolve("demo");
        StringWriter stdout = new StringWriter();
        Demo demo = new Demo(reduced(), out, ROOT.resolve("examples/tiny-llama"), tmp.resolve("state"),
                new PrintWriter(stdout, true), new PrintWriter(new StringWriter(), true));

        Optional<DemoResult> result = demo.run();

        assertTrue(result.isPresent(), stdout.toString());
        assertTrue(stdout.toString().contains(String.format("violation rate before %s after ",
                percent(result.get().before().violations()))), stdout.toString());
        assertTrue(Files.readString(out.resolve("sft.yaml")).contains("method: sft"));
        assertTrue(Files.isRegularFile(out.resolve("sft/final/model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("dpo/final/model.safetensors")));
        String report = Files.readString(out.resolve("dpo/report.html"));
        assertTrue(report.contains("word_limit") && report.contains("an_answer"),
                "the DPO run's report holds its in-run evaluation by the demo's criteria");
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("demo-result.json")))
                .getAsJsonObject();
        assertEquals(HELD_OUT, json.get("held_out_prompts").getAsInt());
        assertEquals(failedAnswers(out.resolve("before-dpo.jsonl")),
                json.getAsJsonObject("before").get("violations").getAsInt());
        assertEquals(failedAnswers(out.resolve("after-dpo.jsonl")),
                json.getAsJsonObject("after").get("violations").getAsInt());
    }

    @Test
    void refusesAnOutputDirectoryInUse() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(out.resolve("keep.txt"), "earlier work");
        Demo demo = new Demo(reduced(), out, ROOT.resolve("examples/tiny-llama"), tmp.resolve("state"),
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
        IOException refused = assertThrows(IOException.class, demo::run);
        assertTrue(refused.getMessage().contains("--out must be a new or empty directory"), refused.getMessage());
        assertEquals(List.of(out.resolve("keep.txt")), Files.list(out).toList());
    }

    private static String percent(int violations) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * violations / HELD_OUT);
    }

    /** Answers in a generations file that fail at least one criterion, counted from the verdicts written. */
    private static int failedAnswers(Path file) throws IOException {
        int failed = 0;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(HELD_OUT, lines.size());
        for (String line : lines) {
            JsonObject verdicts = JsonParser.parseString(line).getAsJsonObject().getAsJsonObject("verdicts");
            failed += verdicts.entrySet().stream()
                    .anyMatch(v -> !v.getValue().getAsJsonObject().get("pass").getAsBoolean()) ? 1 : 0;
        }
        return failed;
    }
}
