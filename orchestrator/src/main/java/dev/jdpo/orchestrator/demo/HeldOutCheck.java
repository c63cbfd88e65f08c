package dev.jdpo.orchestrator.demo;

import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.CompletionLines;
import dev.jdpo.evaluation.Evaluation;
import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.CriteriaFileReader;
import dev.jdpo.evaluation.criteria.InvalidCriteriaException;
import dev.jdpo.evaluation.criteria.Verdict;
import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures a model on the demo's held-out prompts as {@code jdpo evaluate} does: greedy answers, judged by the
 * criteria file. The violation rate comes from the generated text alone, never from a training metric.
 */
public final class HeldOutCheck {

    private static final int BATCH_SIZE = 32;

    private HeldOutCheck() {
    }

    /** Answers every prompt of {@code prompts}, judges the answers and writes them with their verdicts to {@code out}. */
    public static Measurement measure(Path model, Path prompts, Path criteria, int maxNewTokens, Path out)
            throws InvalidCriteriaException, InvalidPromptException, ModelLoadException, TokenizerLoadException,
            IOException {
        List<Checker> checkers = CriteriaFileReader.read(criteria);
        List<Completion> completions;
        try (TextTokenizer tokenizer = TextTokenizer.load(model);
             CausalLM lm = CausalLM.load(model, LoadOptions.cpu())) {
            GenerationOptions greedy = GenerationOptions.greedy(maxNewTokens, lm.generationConfig().eosTokenIds());
            completions = new TextGenerator(lm, tokenizer).generate(PromptFile.read(prompts), false, greedy, 1,
                    BATCH_SIZE);
        }
        List<Judged> judged = Evaluation.judge(completions, checkers);
        int violations = 0;
        try (Writer file = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (Judged answer : judged) {
                file.write(CompletionLines.of(answer) + "\n");
                violations += answer.verdicts().stream().allMatch(Verdict::pass) ? 0 : 1;
            }
        }
        return new Measurement(violations, judged);
    }
}
