package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * testdata/golden.json's dpo_step, computed by transformers + torch in float64: the 4 golden pairs as one batch,
 * sigmoid loss with beta 0.1, AdamW lr 1e-3, no weight decay, no clipping.
 */
class GoldenDpoStepTest {

    private static final double RELATIVE = 1e-4;

    @Test
    void oneStepMatchesTransformersAndTorch() throws Exception {
        JsonObject golden = Fixtures.golden().getAsJsonObject("dpo_step");
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.goldenPairs(), false);
        TrainingConfig config = TrainingConfig.builder().beta(0.1).learningRate(1e-3).weightDecay(0)
                .maxGradNorm(0).scheduler(SchedulerType.CONSTANT).batchSize(4).maxSteps(2).build();
        try (CausalLM policy = Fixtures.trainablePolicy();
             PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, 2)) {
            StepResult first = trainer.step(pairs, 0.5);
            assertClose(golden.get("loss").getAsDouble(), first.metrics().loss(), "loss");
            assertClose(golden.get("grad_norm").getAsDouble(), first.metrics().gradNorm(), "grad_norm");
            double[] chosenLogps = Fixtures.doubles(golden.getAsJsonArray("policy_chosen_logps"));
            double[] rejectedLogps = Fixtures.doubles(golden.getAsJsonArray("policy_rejected_logps"));
            double[] chosenRewards = Fixtures.doubles(golden.getAsJsonArray("rewards_chosen"));
            double[] rejectedRewards = Fixtures.doubles(golden.getAsJsonArray("rewards_rejected"));
            for (int i = 0; i < pairs.size(); i++) {
                assertClose(chosenLogps[i], first.chosenLogps()[i], "policy_chosen_logps " + i);
                assertClose(rejectedLogps[i], first.rejectedLogps()[i], "policy_rejected_logps " + i);
                assertClose(chosenRewards[i], first.chosenRewards()[i], "rewards_chosen " + i);
                assertClose(rejectedRewards[i], first.rejectedRewards()[i], "rewards_rejected " + i);
            }
            StepResult second = trainer.step(pairs, 1.0);
            assertClose(golden.get("loss_after_one_step").getAsDouble(), second.metrics().loss(),
                    "loss_after_one_step");
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, RELATIVE * Math.abs(expected), what);
    }
}
