package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.eval.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trainer's evaluator, which the pipeline's eval_ metrics come from: evaluating the untrained tiny Llama on the
 * golden pairs reproduces transformers' sigmoid DPO loss and rewards for the same batch (testdata/golden.json,
 * dpo_step, computed in float64).
 */
class EvaluatorGoldenTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @Test
    void evalMetricsOfTheUntrainedPolicyMatchTheGoldenDpoStep() throws Exception {
        JsonObject golden = JsonParser.parseString(Files.readString(REPO.resolve("testdata/golden.json")))
                .getAsJsonObject();
        JsonObject step = golden.getAsJsonObject("dpo_step");
        JsonArray goldenPairs = golden.getAsJsonObject("golden").getAsJsonArray("pairs");
        List<TrainingPair> pairs = new ArrayList<>();
        for (int i = 0; i < goldenPairs.size(); i++) {
            JsonObject pair = goldenPairs.get(i).getAsJsonObject();
            PairTokens tokens = new PairTokens(ids(pair, "prompt_ids"), ids(pair, "chosen_ids"),
                    ids(pair, "rejected_ids"));
            pairs.add(new TrainingPair(tokens,
                    new PairLogProbs(step.getAsJsonArray("ref_chosen_logps").get(i).getAsDouble(),
                            step.getAsJsonArray("ref_rejected_logps").get(i).getAsDouble(),
                            tokens.chosen().scoredTokens(), tokens.rejected().scoredTokens(), null, null)));
        }
        TrainingConfig config = TrainingConfig.builder().beta(step.get("beta").getAsDouble()).build();
        Map<String, Double> metrics;
        try (CausalLM policy = CausalLM.load(REPO.resolve("examples/tiny-llama"), LoadOptions.cpu())) {
            metrics = new Evaluator(policy, config, 0, pairs, 4).evaluate(0, 0).values();
        }
        assertEquals(step.get("loss").getAsDouble(), metrics.get("eval_loss"), 1e-5);
        assertEquals(mean(step.getAsJsonArray("rewards_chosen")), metrics.get("eval_rewards/chosen"), 1e-5);
        assertEquals(mean(step.getAsJsonArray("rewards_rejected")), metrics.get("eval_rewards/rejected"), 1e-5);
        assertEquals(mean(step.getAsJsonArray("policy_chosen_logps")), metrics.get("eval_logps/chosen"), 1e-3);
        double correct = 0;
        for (int i = 0; i < pairs.size(); i++) {
            correct += step.getAsJsonArray("rewards_chosen").get(i).getAsDouble()
                    > step.getAsJsonArray("rewards_rejected").get(i).getAsDouble() ? 1 : 0;
        }
        assertEquals(correct / pairs.size(), metrics.get("eval_rewards/accuracies"));
    }

    private static int[] ids(JsonObject pair, String key) {
        JsonArray array = pair.getAsJsonArray(key);
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).getAsInt();
        }
        return ids;
    }

    private static double mean(JsonArray values) {
        double sum = 0;
        for (int i = 0; i < values.size(); i++) {
            sum += values.get(i).getAsDouble();
        }
        return sum / values.size();
    }
}
