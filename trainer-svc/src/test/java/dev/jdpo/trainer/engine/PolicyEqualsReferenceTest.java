package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DPO's step-0 invariant: with the policy as its own reference, loss = ln 2, rewards 0, accuracy 0. */
class PolicyEqualsReferenceTest {

    @Test
    void sigmoidLossIsLn2AndRewardsVanish() throws Exception {
        List<TrainingPair> pairs;
        try (CausalLM reference = CausalLM.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            pairs = Fixtures.withReference(reference, Fixtures.goldenPairs(), false);
        }
        TrainingConfig config = TrainingConfig.builder().batchSize(4).maxSteps(1).build();
        try (CausalLM policy = Fixtures.trainablePolicy();
             PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, 1)) {
            StepMetrics metrics = trainer.step(pairs, 1.0).metrics();
            assertEquals(Math.log(2), metrics.loss(), 1e-6);
            assertEquals(0.0, metrics.rewardsChosen(), 1e-6);
            assertEquals(0.0, metrics.rewardsRejected(), 1e-6);
            assertEquals(0.0, metrics.rewardsMargins(), 1e-6);
            assertEquals(0.0, metrics.rewardsAccuracies());
        }
    }
}
