package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LD-DPO on the golden pairs, checked against golden.json's per-token log-probs of policy and reference. */
class LengthDesensitizationTest {

    private static final double ALPHA = 0.5;
    private static final double BETA = 0.1;

    @Test
    void weightsTokensPastTheSharedLengthOnBothModels() throws Exception {
        JsonObject golden = Fixtures.golden();
        JsonArray policyPairs = golden.getAsJsonObject("golden").getAsJsonArray("pairs");
        JsonArray refPairs = golden.getAsJsonObject("golden_ref").getAsJsonArray("pairs");
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.goldenPairs(), true);
        TrainingConfig config = TrainingConfig.builder().beta(BETA).ldAlpha(ALPHA).batchSize(4).maxSteps(1).build();
        try (CausalLM policy = Fixtures.trainablePolicy();
             PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, 1)) {
            StepResult result = trainer.step(pairs, 1.0);
            double loss = 0;
            for (int i = 0; i < pairs.size(); i++) {
                double[] chosen = tokens(policyPairs, i, "chosen_token_logps");
                double[] rejected = tokens(policyPairs, i, "rejected_token_logps");
                double[] refChosen = tokens(refPairs, i, "chosen_token_logps");
                double[] refRejected = tokens(refPairs, i, "rejected_token_logps");
                int shared = Math.min(chosen.length, rejected.length);
                double c = weighted(chosen, shared);
                double r = weighted(rejected, shared);
                double rc = weighted(refChosen, shared);
                double rr = weighted(refRejected, shared);
                assertEquals(c, result.chosenLogps()[i], 1e-4 * Math.abs(c), "chosen " + i);
                assertEquals(r, result.rejectedLogps()[i], 1e-4 * Math.abs(r), "rejected " + i);
                assertEquals(BETA * (c - rc), result.chosenRewards()[i], 1e-4, "reward " + i);
                double x = BETA * ((c - rc) - (r - rr));
                loss += Math.log1p(Math.exp(-x)) / pairs.size();
            }
            assertEquals(loss, result.metrics().loss(), 1e-4 * loss);
        }
    }

    @Test
    void refusesReferenceSumsWithoutTokens() {
        PairTokens tokens = Fixtures.goldenPairs().get(0).tokens();
        TrainingPair pair = new TrainingPair(tokens, new PairLogProbs(-1, -2, tokens.chosen().scoredTokens(),
                tokens.rejected().scoredTokens(), null, null));
        TrainingConfig config = TrainingConfig.builder().ldAlpha(ALPHA).build();
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> PairChecks.check(List.of(pair), config, 512, 0));
        assertEquals("ld_alpha", e.field());
    }

    private static double weighted(double[] tokens, int shared) {
        double sum = 0;
        for (int k = 0; k < tokens.length; k++) {
            sum += k < shared ? tokens[k] : ALPHA * tokens[k];
        }
        return sum;
    }

    private static double[] tokens(JsonArray pairs, int index, String field) {
        return Fixtures.doubles(pairs.get(index).getAsJsonObject().getAsJsonArray(field));
    }
}
