package dev.jdpo.trainer.eval;

import dev.jdpo.evaluation.CriterionSummary;
import dev.jdpo.evaluation.EncodedPrompt;
import dev.jdpo.evaluation.Evaluation;
import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation by behaviour during a run: the policy being trained answers the same held-out prompts at every call
 * (through the evaluation module's generator and criteria), and each criterion's pass rate becomes
 * {@code eval_criteria/<name>}.
 */
public final class CriteriaEvaluator {

    /** The metric name prefix of the pass rates. */
    public static final String PREFIX = "eval_criteria/";

    private final TextGenerator generator;
    private final List<EncodedPrompt> prompts;
    private final List<Checker> checkers;
    private final GenerationOptions options;
    private final CriteriaEvalSettings settings;

    private CriteriaEvaluator(TextGenerator generator, List<EncodedPrompt> prompts, CriteriaEvalSettings settings,
                              GenerationOptions options) {
        this.generator = generator;
        this.prompts = List.copyOf(prompts);
        this.checkers = settings.checkers();
        this.settings = settings;
        this.options = options;
    }

    /**
     * Prepares the prompts once: the first {@code max_prompts} rows of the prompts file, or else the prompts of
     * {@code validation} as training tokenized them.
     *
     * @param policy the model being trained (its weights are read at each {@link #evaluate})
     * @param tokenizer the policy's tokenizer, open for as long as this evaluator is used
     * @param seed sampling seed when the temperature is positive
     * @throws InvalidConfigException naming {@code evaluation.prompts_file} when it cannot be read, or when there
     *     are no prompts at all
     */
    public static CriteriaEvaluator create(CausalLM policy, TextTokenizer tokenizer, CriteriaEvalSettings settings,
                                          List<TrainingPair> validation, long seed) {
        TextGenerator generator = new TextGenerator(policy, tokenizer);
        List<EncodedPrompt> prompts = new ArrayList<>();
        if (settings.promptsFile() != null) {
            try {
                List<PromptRow> rows = PromptFile.read(settings.promptsFile());
                prompts.addAll(generator.encode(rows.subList(0, Math.min(rows.size(), settings.maxPrompts())),
                        settings.chat()));
            } catch (InvalidPromptException e) {
                throw new InvalidConfigException("evaluation.prompts_file", e.getMessage());
            }
        } else {
            for (TrainingPair pair : validation.subList(0, Math.min(validation.size(), settings.maxPrompts()))) {
                String text = tokenizer.decode(pair.tokens().promptIds());
                prompts.add(new EncodedPrompt(PromptRow.ofText(text), text, pair.tokens().promptIds()));
            }
        }
        if (prompts.isEmpty()) {
            throw new InvalidConfigException("evaluation.prompts_file", "required when the run has no validation "
                    + "pairs (data.validation_file or data.validation_split): no prompts to evaluate on");
        }
        List<Integer> stops = policy.generationConfig().eosTokenIds().isEmpty()
                ? List.of(tokenizer.specialTokens().eosId()) : policy.generationConfig().eosTokenIds();
        GenerationOptions options = settings.temperature() > 0
                ? GenerationOptions.sampled(settings.maxNewTokens(), settings.temperature(), 1.0, seed, stops)
                : GenerationOptions.greedy(settings.maxNewTokens(), stops);
        return new CriteriaEvaluator(generator, prompts, settings, options);
    }

    /** Prompts answered per evaluation. */
    public int size() {
        return prompts.size();
    }

    /**
     * Answers every prompt with the current weights and judges the answers.
     *
     * @param step optimizer steps completed, recorded in the report
     * @param epoch fractional epochs completed, reported as {@code epoch}
     */
    public CriteriaReport evaluate(int step, double epoch) {
        List<Judged> judged = Evaluation.judge(generator.generate(prompts, options, 1, settings.batchSize()),
                checkers);
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (CriterionSummary summary : Evaluation.summarize(judged, checkers)) {
            metrics.put(PREFIX + summary.criterion(), summary.passRate());
        }
        metrics.put("epoch", epoch);
        return new CriteriaReport(step, metrics, judged.subList(0, Math.min(judged.size(), settings.samples())));
    }
}
