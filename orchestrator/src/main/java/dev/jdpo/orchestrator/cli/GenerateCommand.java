package dev.jdpo.orchestrator.cli;

import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.CompletionLines;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.evaluation.prompts.PromptRow;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo generate}: a model's answers to a prompt or a file of prompt rows, as JSONL. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate answers with a model: batched, with a KV cache, the model's chat template and its "
                + "generation_config.json defaults. One JSON line per answer: index, sequence, prompt, answer, "
                + "finish_reason (stop or length), tokens.")
public final class GenerateCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin GenerationFlags generation;

    @ArgGroup(multiplicity = "1")
    Source source;

    /** Exactly one of --prompt and --data. */
    static final class Source {
        @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "one prompt")
        String prompt;

        @Option(names = "--data", paramLabel = "FILE", required = true, description = "JSONL prompt rows: \"prompt\" "
                + "(text or messages), \"messages\" or \"input.messages\"")
        Path data;
    }

    @Option(names = "--num-return-sequences", paramLabel = "N", defaultValue = "1",
            description = "answers per prompt; more than 1 needs sampling (default: 1)")
    int sequences;

    @Option(names = "--out", paramLabel = "FILE", description = "output JSONL file (default: standard output)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (sequences <= 0) {
            throw generation.invalid("--num-return-sequences must be positive, got " + sequences);
        }
        List<PromptRow> rows = source.data != null ? PromptFile.read(source.data)
                : List.of(PromptRow.ofText(source.prompt));
        List<Completion> completions = generation.generate((generator, options) -> {
            if (sequences > 1) {
                generation.requireSampling(options, "--num-return-sequences " + sequences);
            }
            return generator.generate(rows, generation.chat, options, sequences, generation.batchSize);
        });
        JsonLines.write(out, spec.commandLine().getOut(), completions.stream().map(CompletionLines::of).toList());
        return 0;
    }
}
