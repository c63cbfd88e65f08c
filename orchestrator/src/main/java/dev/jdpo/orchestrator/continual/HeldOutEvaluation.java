package dev.jdpo.orchestrator.continual;

import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.CriterionSummary;
import dev.jdpo.evaluation.Evaluation;
import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.Criteria;
import dev.jdpo.evaluation.criteria.InvalidCriteriaException;
import dev.jdpo.evaluation.prompts.InvalidPromptException;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.orchestrator.pipeline.Devices;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.PromotionGate;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gate's held-out evaluation of one model: answers (greedy, or sampled with the gate's seed) to the first max_prompts prompts, judged by the
 * criteria with the library calls of {@code jdpo evaluate}; the pass rate of each criterion, in criteria order.
 */
final class HeldOutEvaluation {

    private static final int BATCH_SIZE = 8;

    private HeldOutEvaluation() {
    }

    static Map<String, Double> passRates(PromotionGate gate, Path modelDir, ModelConfig device) throws RunFailure {
        List<Checker> checkers;
        List<PromptRow> rows;
        try {
            checkers = Criteria.checkers(gate.getCriteriaList(), Path.of("."));
            rows = PromptFile.read(Path.of(gate.getPromptsFile()));
        } catch (InvalidCriteriaException | InvalidPromptException invalid) {
            throw new RunFailure("invalid_gate", "gate: " + invalid.getMessage(), "gate");
        }
        rows = rows.subList(0, Math.min(rows.size(), gate.getMaxPrompts()));
        List<Completion> answers;
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir);
             CausalLM model = CausalLM.load(modelDir, Devices.loadOptions(device, false))) {
            List<Integer> stops = model.generationConfig().eosTokenIds().isEmpty()
                    ? List.of(tokenizer.specialTokens().eosId()) : model.generationConfig().eosTokenIds();
            GenerationOptions options = gate.getTemperature() > 0
                    ? GenerationOptions.sampled(gate.getMaxNewTokens(), gate.getTemperature(), 1.0, gate.getSeed(), stops)
                    : GenerationOptions.greedy(gate.getMaxNewTokens(), stops);
            answers = new TextGenerator(model, tokenizer).generate(rows, gate.getChat(), options, 1, BATCH_SIZE);
        } catch (TokenizerLoadException | ModelLoadException cannotLoad) {
            throw new RunFailure("invalid_model", "cannot load " + modelDir + " to evaluate it: "
                    + cannotLoad.getMessage(), "");
        } catch (InvalidPromptException invalid) {
            throw new RunFailure("invalid_gate", "gate.prompts_file: " + invalid.getMessage(), "gate.prompts_file");
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        for (CriterionSummary summary : Evaluation.summarize(Evaluation.judge(answers, checkers), checkers)) {
            rates.put(summary.criterion(), summary.passRate());
        }
        return rates;
    }
}
