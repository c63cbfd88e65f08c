package dev.jdpo.orchestrator.cli;

import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.CompletionLines;
import dev.jdpo.evaluation.CriterionSummary;
import dev.jdpo.evaluation.Evaluation;
import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.CriteriaFileReader;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.evaluation.prompts.PromptRow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo evaluate}: generates an answer per prompt row, judges it by criteria and prints the pass rates. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Generate an answer for every prompt row and judge it by the criteria: prints pass rates per "
                + "criterion and writes the generations with their verdicts as JSONL.")
public final class EvaluateCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin GenerationFlags generation;

    @Option(names = "--data", paramLabel = "FILE", required = true, description = "JSONL prompt rows: \"prompt\" "
            + "(text or messages), \"messages\" or \"input.messages\"; other fields are there for the criteria")
    Path data;

    @Option(names = "--criteria", paramLabel = "FILE", required = true,
            description = "YAML or JSON criteria file (a jdpo.v1.CriteriaFile; see README)")
    Path criteria;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "evaluation.jsonl",
            description = "where the generations and their verdicts go (default: evaluation.jsonl)")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<Checker> checkers = CriteriaFileReader.read(criteria);
        List<PromptRow> rows = PromptFile.read(data);
        List<Completion> completions = generation.generate((generator, options) -> generator.generate(rows,
                generation.chat, options, 1, generation.batchSize));
        List<Judged> judged = Evaluation.judge(completions, checkers);
        JsonLines.write(out, spec.commandLine().getOut(), judged.stream().map(CompletionLines::of).toList());
        printSummary(spec.commandLine().getOut(), Evaluation.summarize(judged, checkers));
        return 0;
    }

    private void printSummary(PrintWriter stdout, List<CriterionSummary> summaries) {
        int width = Math.max("criterion".length(),
                summaries.stream().mapToInt(s -> s.criterion().length()).max().orElse(0));
        String row = "%-" + width + "s  %6s  %6s  %9s  %10s%n";
        stdout.printf(Locale.ROOT, row, "criterion", "passed", "failed", "pass rate", "mean score");
        for (CriterionSummary summary : summaries) {
            stdout.printf(Locale.ROOT, row, summary.criterion(), summary.passed(), summary.total() - summary.passed(),
                    String.format(Locale.ROOT, "%.1f%%", 100 * summary.passRate()),
                    String.format(Locale.ROOT, "%.3f", summary.meanScore()));
        }
        stdout.println("generations and verdicts: " + out);
        stdout.flush();
    }
}
