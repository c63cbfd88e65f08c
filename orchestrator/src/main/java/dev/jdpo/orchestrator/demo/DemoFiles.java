package dev.jdpo.orchestrator.demo;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The files of one demo under its output directory: the data, the criteria and the two run configs, written as a
 * user would write them, so each stage can be rerun by hand ({@code jdpo train --config}, {@code jdpo evaluate}).
 *
 * @param root the demo's output directory
 */
public record DemoFiles(Path root) {

    /**
     * DPO's sigmoid loss plus the NLL of the preferred answer (RPO; TRL's rpo_alpha 1). Plain sigmoid loss on this
     * model trained from scratch drifted to answers of dots before the violation rate fell far enough; the NLL
     * term keeps the preferred answers likely.
     */
    private static final String DPO_LOSS = "method: dpo\n  loss_types: [sigmoid, sft]\n  loss_weights: [1, 1]";
    /** The demo's criteria, in a criteria file and in the DPO run's in-run evaluation alike. */
    private static final String CRITERIA = """
            - name: word_limit
              word_limit: {max_field: max_words}
            - name: an_answer
              regex: {must_match: '^\\s*[A-Za-z]+( [A-Za-z]+)*\\.$'}
            """;
    private static final Gson JSON = new Gson().newBuilder().disableHtmlEscaping().create();

    public Path initialModel() {
        return root.resolve("model-init");
    }

    public Path sftData() {
        return root.resolve("data/sft.jsonl");
    }

    public Path preferencePairs() {
        return root.resolve("data/pairs.jsonl");
    }

    public Path heldOutPrompts() {
        return root.resolve("data/heldout.jsonl");
    }

    public Path criteria() {
        return root.resolve("criteria.yaml");
    }

    public Path sftConfig() {
        return root.resolve("sft.yaml");
    }

    public Path dpoConfig() {
        return root.resolve("dpo.yaml");
    }

    public Path sftOutput() {
        return root.resolve("sft");
    }

    public Path dpoOutput() {
        return root.resolve("dpo");
    }

    /** The model a stage's run leaves behind. */
    public static Path finalModel(Path runOutput) {
        return runOutput.resolve("final");
    }

    /** Writes the data, the criteria and both run configs for {@code split}. */
    public void write(TaskSplit split, DemoSettings settings) throws IOException {
        Files.createDirectories(sftData().getParent());
        writeLines(sftData(), split.train(), e -> {
            JsonObject row = new JsonObject();
            row.addProperty("prompt", e.prompt());
            row.addProperty("completion", e.sftAnswer());
            return row;
        });
        writeLines(preferencePairs(), split.train(), e -> {
            JsonObject row = new JsonObject();
            row.addProperty("prompt", e.prompt());
            row.addProperty("chosen", e.compliant());
            row.addProperty("rejected", e.violating());
            return row;
        });
        writeLines(heldOutPrompts(), split.heldOut(), e -> {
            JsonObject row = new JsonObject();
            row.addProperty("prompt", e.prompt());
            row.addProperty("max_words", e.maxWords());
            return row;
        });
        Files.writeString(criteria(), """
                # The demo's checkers. An answer violates them when it has more words than the prompt row's
                # max_words, or is not an answer at all (one line of words ending in a period): a run of dots fits
                # any word limit, and plain DPO on this tiny model drifted there.
                criteria:
                """ + CRITERIA.indent(2), StandardCharsets.UTF_8);
        Files.writeString(sftConfig(), runConfig("demo-sft", "method: sft", initialModel(), sftData(), sftOutput(),
                settings.sftLearningRate(), settings.sftEpochs(), settings), StandardCharsets.UTF_8);
        Files.writeString(dpoConfig(), runConfig("demo-dpo", DPO_LOSS, finalModel(sftOutput()), preferencePairs(),
                dpoOutput(), settings.dpoLearningRate(), settings.dpoEpochs(), settings)
                + inRunEvaluation(split.heldOut().size(), settings), StandardCharsets.UTF_8);
    }

    private static String runConfig(String name, String objective, Path policy, Path data, Path output,
                                    double learningRate, int epochs, DemoSettings settings) {
        // the DPO stage's reference is left out: it defaults to the policy's starting weights, the SFT model
        return String.format(Locale.ROOT, """
                name: %s
                model:
                  policy: %s
                data:
                  training_file: %s
                training:
                  %s
                  beta: %s
                  learning_rate: %s
                  lr_scheduler: linear
                  warmup_ratio: 0.1
                  batch_size: %d
                  epochs: %d
                  max_length: 128
                  seed: %d
                output:
                  output_dir: %s
                  log_interval: 5
                  eval_interval: 0
                  checkpoint_interval: 100000
                """, name, quoted(policy), quoted(data), objective, settings.beta(), learningRate,
                settings.batchSize(), epochs, settings.seed(), quoted(output));
    }

    /**
     * The DPO run judges the held-out answers itself at step 0 (the SFT model) and at its end, so its report
     * (report.html) shows the before/after pass rates per criterion.
     */
    private String inRunEvaluation(int prompts, DemoSettings settings) {
        return String.format(Locale.ROOT, """
                evaluation:
                  prompts_file: %s
                  max_prompts: %d
                  max_new_tokens: %d
                  batch_size: 32
                  criteria:
                """, quoted(heldOutPrompts()), prompts, settings.maxNewTokens()) + CRITERIA.indent(4);
    }

    private static String quoted(Path path) {
        return JSON.toJson(path.toAbsolutePath().toString());
    }

    private static void writeLines(Path file, List<TaskExample> examples, Function<TaskExample, JsonObject> row)
            throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (TaskExample example : examples) {
                out.write(JSON.toJson(row.apply(example)) + "\n");
            }
        }
    }
}
