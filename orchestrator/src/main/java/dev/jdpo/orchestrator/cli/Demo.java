package dev.jdpo.orchestrator.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.RandomInit;
import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.orchestrator.demo.DemoFiles;
import dev.jdpo.orchestrator.demo.DemoResult;
import dev.jdpo.orchestrator.demo.DemoSettings;
import dev.jdpo.orchestrator.demo.HeldOutCheck;
import dev.jdpo.orchestrator.demo.Measurement;
import dev.jdpo.orchestrator.demo.WordLimitTask;
import dev.jdpo.orchestrator.report.RunReportFile;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.tokenizer.text.SpecialTokens;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The stages of {@code jdpo demo}: a model built from scratch, a supervised run and a DPO run through the embedded
 * orchestrator (as {@code jdpo train} runs them), and the held-out violation rates measured after each run.
 */
final class Demo {

    private final DemoSettings settings;
    private final DemoFiles files;
    private final Path tokenizerDir;
    private final Path stateDir;
    private final PrintWriter out;
    private final PrintWriter err;

    /** {@code stateDir} null for the default run state (~/.jdpo/state). */
    Demo(DemoSettings settings, Path outDir, Path tokenizerDir, Path stateDir, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.files = new DemoFiles(outDir.toAbsolutePath().normalize());
        this.tokenizerDir = tokenizerDir;
        this.stateDir = stateDir;
        this.out = out;
        this.err = err;
    }

    /** Runs every stage; empty when a run did not succeed (its summary says why). */
    Optional<DemoResult> run() throws Exception {
        refuseUsedDirectory(files.root());
        say("1/4 a model from scratch: random weights, the tokenizer of " + tokenizerDir + " -> "
                + files.initialModel());
        RandomInit.write(files.initialModel(), modelConfig(), settings.seed(), tokenizerDir);
        files.write(WordLimitTask.generate(settings.seed(), settings.trainPrompts(), settings.heldOutPrompts(),
                settings.violatingShare()), settings);
        say("   task: name a thing in at most N words; " + settings.trainPrompts() + " training prompts ("
                + Math.round(100 * settings.violatingShare()) + "% of the supervised answers break the limit), "
                + settings.heldOutPrompts() + " held-out prompts (" + files.root().relativize(files.heldOutPrompts())
                + ")");
        say("2/4 supervised fine-tuning on the mixed answers (" + files.sftConfig() + ")");
        if (!train(files.sftConfig())) {
            return Optional.empty();
        }
        Measurement before = measure(DemoFiles.finalModel(files.sftOutput()), "before-dpo.jsonl");
        say("3/4 DPO on " + settings.trainPrompts() + " pairs, preferred = within the limit (" + files.dpoConfig()
                + ")");
        if (!train(files.dpoConfig())) {
            return Optional.empty();
        }
        say("4/4 held-out answers after DPO");
        Measurement after = measure(DemoFiles.finalModel(files.dpoOutput()), "after-dpo.jsonl");
        DemoResult result = new DemoResult(settings.seed(), before, after);
        Files.writeString(files.root().resolve("demo-result.json"), result.json(), StandardCharsets.UTF_8);
        out.println();
        out.print(result.table());
        out.println("answers and verdicts: " + files.root().resolve("before-dpo.jsonl") + ", "
                + files.root().resolve("after-dpo.jsonl"));
        Path report = files.dpoOutput().resolve(RunReportFile.NAME);
        if (Files.isRegularFile(report)) {
            out.println("the DPO run's report, with the pass rates per criterion before and after: " + report);
        }
        out.flush();
        return Optional.of(result);
    }

    private boolean train(Path config) throws Exception {
        ProgressView progress = new ProgressView(out, System.console() != null);
        RunSummary summary = new RunSummary();
        Run run = EmbeddedRun.execute(new RunConfigReader().read(config, List.of()), stateDir, err, event -> {
            progress.show(event);
            summary.record(event);
        });
        summary.print(out, run);
        return EmbeddedRun.succeeded(run);
    }

    private Measurement measure(Path model, String answersFile) throws Exception {
        Measurement measurement = HeldOutCheck.measure(model, files.heldOutPrompts(), files.criteria(),
                settings.maxNewTokens(), files.root().resolve(answersFile));
        say(String.format(Locale.ROOT, "   %s: %d of %d held-out answers over the word limit",
                files.root().relativize(model), measurement.violations(), measurement.total()));
        return measurement;
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    /** The settings' architecture over the tokenizer's vocabulary and special tokens. */
    private JsonObject modelConfig() throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerDir)) {
            SpecialTokens special = tokenizer.specialTokens();
            return settings.modelConfig(vocabSize(tokenizerDir), special.eosId(), special.padId());
        }
    }

    /** One more than the largest token id of tokenizer.json (its model's vocabulary and its added tokens). */
    private static int vocabSize(Path tokenizerDir) throws IOException {
        Path file = tokenizerDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no tokenizer.json (--tokenizer names the directory holding it)");
        }
        JsonObject tokenizer = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                .getAsJsonObject();
        int max = -1;
        for (var entry : tokenizer.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()) {
            max = Math.max(max, entry.getValue().getAsInt());
        }
        if (tokenizer.has("added_tokens")) {
            for (JsonElement added : tokenizer.getAsJsonArray("added_tokens")) {
                max = Math.max(max, added.getAsJsonObject().get("id").getAsInt());
            }
        }
        return max + 1;
    }

    /** Each demo gets a fresh directory: its runs would refuse one holding earlier checkpoints anyway. */
    private static void refuseUsedDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(dir + ": --out must be a new or empty directory");
            }
        }
    }
}
