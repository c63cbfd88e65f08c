package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose data is {@code data.sampled_pairs}: the orchestrator samples with the starting policy, then trains. */
class SampledPairsRunTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) of 20 prompts yielded a pair");

    @TempDir Path dir;

    private Path config(String criterion, Path output) throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            prompts.add("{\"prompt\": \"Describe item " + i + " briefly.\"}");
        }
        Path promptFile = Files.write(dir.resolve("prompts.jsonl"), prompts, StandardCharsets.UTF_8);
        Path criteria = Files.writeString(dir.resolve("criteria.yaml"), "criteria:\n  - " + criterion + "\n");
        return Files.writeString(dir.resolve("run.yaml"), String.join("\n",
                "model:",
                "  policy: " + ROOT.resolve("examples/tiny-llama"),
                "  device: cpu",
                "data:",
                "  sampled_pairs:",
                "    prompts_file: " + promptFile,
                "    criteria_file: " + criteria,
                "    num_samples: 4",
                "    max_new_tokens: 10",
                "training:",
                "  loss_types: [sigmoid]",
                "  batch_size: 2",
                "  max_steps: 2",
                "  seed: 7",
                "output:",
                "  output_dir: " + output,
                ""));
    }

    @Test
    void theRunTrainsOnPairsSampledFromItsStartingPolicy() throws Exception {
        Path output = dir.resolve("out");
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--config",
                config("name: short\n    word_limit: {max: 3}", output).toString(),
                "--state-dir", dir.resolve("state").toString());
        assertEquals(0, result.exit(), result.err() + result.out());
        Matcher summary = SUMMARY.matcher(result.out() + result.err());
        assertTrue(summary.find(), result.out() + result.err());
        List<Path> sampled;
        try (Stream<Path> files = Files.list(output)) {
            sampled = files.filter(f -> f.getFileName().toString().matches("sampled-pairs-[0-9a-f]{16}\\.jsonl"))
                    .toList();
        }
        assertEquals(1, sampled.size(), "validation and training share one sampling");
        List<String> lines = Files.readAllLines(sampled.get(0));
        assertEquals(Integer.parseInt(summary.group(1)), lines.size());
        for (String line : lines) {
            assertTrue(JsonParser.parseString(line).getAsJsonObject().has("non_preferred_output"), line);
        }
        assertTrue(result.out().contains("Run succeeded"), result.out());
        assertTrue(Files.isDirectory(output.resolve("final")));

        // the run samples 16 rows at a time, yet its pairs are those of one `jdpo pairs sample` call
        Path cli = dir.resolve("cli-pairs.jsonl");
        RunCommandsTest.Result sample = RunCommandsTest.jdpo("pairs", "sample", "--model",
                ROOT.resolve("examples/tiny-llama").toString(), "--prompts", dir.resolve("prompts.jsonl").toString(),
                "--num-samples", "4", "--criteria", dir.resolve("criteria.yaml").toString(), "--out", cli.toString(),
                "--temperature", "1", "--max-new-tokens", "10", "--seed", "7");
        assertEquals(0, sample.exit(), sample.err());
        assertEquals(Files.readAllLines(cli), lines);
    }

    @Test
    void aRunWhosePromptsYieldNoPairFailsNamingTheField() throws Exception {
        Path output = dir.resolve("out");
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--config",
                config("name: anything\n    regex: {must_not_match: \"\\\\A\\\\z\"}", output).toString(),
                "--state-dir", dir.resolve("state").toString());
        assertEquals(1, result.exit(), result.out());
        assertTrue((result.out() + result.err()).contains("data.sampled_pairs: no pair: 0 of 20 prompts yielded a "
                + "pair (20 ties"), result.out() + result.err());
    }

    @Test
    void aCommandCriterionInARunConfigIsRefusedBeforeItRuns() throws Exception {
        Path output = dir.resolve("out");
        Path marker = dir.resolve("ran");
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--config",
                config("name: judge\n    command: {argv: [touch, \"" + marker + "\"]}", output).toString(),
                "--state-dir", dir.resolve("state").toString());
        assertEquals(1, result.exit(), result.out());
        assertTrue((result.out() + result.err()).contains("data.sampled_pairs.criteria_file: criteria[0].command is "
                + "not allowed"), result.out() + result.err());
        assertFalse(Files.exists(marker), "the command must not have run");
    }
}
