package dev.jdpo.trainer.eval;

import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.Criteria;
import dev.jdpo.evaluation.criteria.InvalidCriteriaException;
import dev.jdpo.proto.v1.EvaluationConfig;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingDefaults;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * A validated {@code evaluation} of a training job (config.proto's EvaluationConfig, defaults filled).
 *
 * @param checkers the criteria, in order
 * @param promptsFile JSONL prompt rows, or null for the prompts of the validation pairs
 * @param maxPrompts prompts answered per evaluation
 * @param maxNewTokens generated tokens per answer at most
 * @param samples answers per evaluation reported with their verdicts
 * @param temperature 0 for greedy decoding
 * @param chat text prompts go through the chat template
 * @param batchSize prompts per generation batch
 */
public record CriteriaEvalSettings(List<Checker> checkers, Path promptsFile, int maxPrompts, int maxNewTokens,
                                   int samples, double temperature, boolean chat, int batchSize) {

    public CriteriaEvalSettings {
        checkers = List.copyOf(checkers);
    }

    /** Checks every field; errors name it as the run API does ({@code evaluation.max_prompts}). */
    public static CriteriaEvalSettings from(EvaluationConfig config) {
        EvaluationConfig.Builder filled = config.toBuilder();
        TrainingDefaults.fill(filled);
        List<Checker> checkers;
        try {
            // command criteria and schema files resolve against the trainer's working directory
            checkers = Criteria.checkers(filled.getCriteriaList(), Path.of("").toAbsolutePath());
        } catch (InvalidCriteriaException e) {
            String message = e.getMessage();
            int colon = message.indexOf(':');
            throw new InvalidConfigException("evaluation." + (colon > 0 ? message.substring(0, colon) : "criteria"),
                    colon > 0 ? message.substring(colon + 1).trim() : message);
        }
        Path prompts = null;
        if (!filled.getPromptsFile().isBlank()) {
            try {
                prompts = Path.of(filled.getPromptsFile()).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new InvalidConfigException("evaluation.prompts_file", "not a valid path: " + e.getMessage());
            }
        }
        atLeast("evaluation.max_prompts", filled.getMaxPrompts(), 1);
        atLeast("evaluation.max_new_tokens", filled.getMaxNewTokens(), 1);
        atLeast("evaluation.samples_per_eval", filled.getSamplesPerEval(), 0);
        atLeast("evaluation.batch_size", filled.getBatchSize(), 1);
        if (!(filled.getTemperature() >= 0) || Double.isInfinite(filled.getTemperature())) {
            throw new InvalidConfigException("evaluation.temperature", "must be >= 0, got " + filled.getTemperature());
        }
        return new CriteriaEvalSettings(checkers, prompts, filled.getMaxPrompts(), filled.getMaxNewTokens(),
                filled.getSamplesPerEval(), filled.getTemperature(), filled.getChat(), filled.getBatchSize());
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new InvalidConfigException(field, "must be >= " + min + ", got " + value);
        }
    }
}
