package dev.jdpo.orchestrator.cli;

import dev.jdpo.evaluation.criteria.CriteriaFileReader;
import dev.jdpo.evaluation.pairs.PairSampler;
import dev.jdpo.evaluation.pairs.PreferenceLines;
import dev.jdpo.evaluation.pairs.SampledPairs;
import dev.jdpo.evaluation.prompts.PromptFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo pairs sample}: preference pairs from a model's own sampled answers, ranked by criteria. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample N answers per prompt, score each by the criteria (the mean of the criteria's scores), "
                + "and write the best over the worst as OpenAI preference JSONL when their scores differ. Prompts "
                + "always go through the chat template, as the pairs are chat data.")
public final class PairsSampleCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin GenerationFlags generation;

    @Option(names = "--prompts", paramLabel = "FILE", required = true, description = "JSONL prompt rows: \"prompt\" "
            + "(text or messages), \"messages\" or \"input.messages\"; other fields are there for the criteria")
    Path prompts;

    @Option(names = "--num-samples", paramLabel = "N", required = true,
            description = "answers sampled per prompt, at least 2")
    int samples;

    @Option(names = "--criteria", paramLabel = "FILE", required = true,
            description = "YAML or JSON criteria file (a jdpo.v1.CriteriaFile; see README)")
    Path criteria;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "where the pairs go (JSONL)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (samples < 2) {
            throw generation.invalid("--num-samples must be at least 2 to make a pair, got " + samples);
        }
        var checkers = CriteriaFileReader.read(criteria);
        var rows = PromptFile.read(prompts);
        SampledPairs result = generation.generate((generator, options) -> {
            generation.requireSampling(options, "--num-samples");
            return new PairSampler(generator, checkers).sample(rows, options, samples, generation.batchSize);
        });
        JsonLines.write(out, spec.commandLine().getOut(), result.pairs().stream().map(PreferenceLines::of).toList());
        spec.commandLine().getOut().printf("%d of %d prompts yielded a pair (%d ties, %d blank answers left out): "
                + "%s%n", result.pairs().size(), result.prompts(), result.ties(), result.blankAnswers(), out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
