package dev.jdpo.orchestrator.cli;

import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.pipeline.BadLinePolicy;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.pipeline.ReportFormatter;
import dev.jdpo.tokenizer.pipeline.TruncationMode;
import dev.jdpo.tokenizer.pipeline.ValidationReport;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo validate}: checks a preference data file against a model's tokenizer and chat template. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a preference data file in one streaming pass: every bad line with its line number, "
                + "field and error code, then a summary.",
                "Exit code 0 when every line is usable, 1 when any is not (or the file cannot be read)."})
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Data file: .jsonl, .json array, either gzipped, or .parquet.")
    Path data;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory whose tokenizer and chat template are used.")
    Path model;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "F",
            description = "auto, openai, trl-standard, trl-conversational, trl-implicit, orca or ultrafeedback "
                    + "(default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
            description = "Longest prompt+completion in tokens; a prompt that alone reaches it is an error. 0 = none.")
    int maxLength;

    @Option(names = "--max-prompt-length", defaultValue = "0", paramLabel = "N",
            description = "Longest prompt in tokens; longer prompts are counted as truncated. 0 = none.")
    int maxPromptLength;

    @Option(names = "--truncation-mode", defaultValue = "keep_end", paramLabel = "MODE",
            description = "Which end of a long prompt is kept: keep_start or keep_end (default: ${DEFAULT-VALUE}).")
    String truncationMode;

    @Option(names = "--fail-fast", description = "Stop at the first bad line instead of reporting every one.")
    boolean failFast;

    @Option(names = "--json", description = "Print the report as JSON instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DataOptions options = DataOptions.defaults()
                .withFormat(DataFormat.fromId(format))
                .withLengths(maxLength, maxPromptLength, mode(truncationMode))
                .withPolicy(failFast ? BadLinePolicy.FAIL : BadLinePolicy.SKIP);
        PrintWriter out = spec.commandLine().getOut();
        ValidationReport report;
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            PreferenceDataset dataset = new PreferenceDataset(new PairEncoder(tokenizer), options);
            report = dataset.validate(data, entry -> {
                if (!json) {
                    out.println(entry.describe());
                }
            });
        }
        out.print(json ? ReportFormatter.json(report) + "\n" : "\n" + ReportFormatter.summary(report));
        if (report.pairs() == 0 && !json) {
            out.println(data + " holds no usable preference pair; train would refuse it");
        }
        out.flush();
        // a file without one usable pair fails `train`, so it does not pass validation either
        return report.clean() && report.pairs() > 0 ? 0 : 1;
    }

    private static TruncationMode mode(String value) {
        String normalized = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return TruncationMode.valueOf(normalized);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--truncation-mode must be keep_start or keep_end, got '" + value + "'");
        }
    }
}
