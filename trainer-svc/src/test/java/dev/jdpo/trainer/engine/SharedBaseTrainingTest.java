package dev.jdpo.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SharedBases;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.testing.GcPressure;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A LoRA policy and its reference on one shared frozen base ({@link SharedBases}): the reference scores on its own
 * thread while the policy trains on another, and gives the log-probs it gives alone; the trainable adapter is never
 * seen by it. Grad mode is per thread in libtorch, and the shared weights never require gradients.
 */
class SharedBaseTrainingTest {

    private static final int STEPS = 4;

    @Test
    void referenceScoresDuringTrainingEqualScoresAlone() throws Exception {
        List<TrainingPair> unscored = Fixtures.syntheticPairs(6, 11);
        List<TokenSequence> sequences = new ArrayList<>();
        unscored.forEach(pair -> sequences.add(pair.tokens().chosen()));
        unscored.forEach(pair -> sequences.add(pair.tokens().rejected()));
        long loads = SharedBases.loads();
        try (CausalLM reference = SharedBases.load(Fixtures.policyDir(), null, LoadOptions.cpu());
             CausalLM policy = SharedBases.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            policy.attachAdapter(LoraAdapter.create(policy, new LoraConfig(8, 16, 0, false,
                    TargetModules.allLinear()), 7, true));
            assertEquals(loads + 1, SharedBases.loads(), "one copy of the base for both");
            double[] alone = logps(reference, sequences);
            List<TrainingPair> pairs = Fixtures.withReference(reference, unscored, false);
            TrainingConfig config = TrainingConfig.builder().learningRate(1e-2).scheduler(SchedulerType.CONSTANT)
                    .batchSize(6).maxSteps(STEPS).build();
            try (PolicyTrainer trainer = new PolicyTrainer(policy, config, Fixtures.PAD_ID, STEPS);
                 GcPressure pressure = GcPressure.start()) {
                CompletableFuture<List<Double>> losses = CompletableFuture.supplyAsync(() -> {
                    List<Double> values = new ArrayList<>();
                    for (int step = 1; step <= STEPS; step++) {
                        try {
                            values.add(trainer.step(pairs, 0).metrics().loss());
                        } catch (TrainingDivergedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return values;
                });
                int scoredDuringTraining = 0;
                while (!losses.isDone() || scoredDuringTraining == 0) {
                    assertArrayEquals(alone, logps(reference, sequences), 0.0, "reference log-probs while training");
                    scoredDuringTraining++;
                }
                List<Double> trained = losses.get(5, TimeUnit.MINUTES);
                assertEquals(Math.log(2), trained.get(0), 1e-6, "step 1 of a new adapter against its base");
                assertTrue(trained.get(STEPS - 1) < trained.get(0) - 1e-3, "the adapter trained: " + trained);
            }
            assertArrayEquals(alone, logps(reference, sequences), 0.0, "reference log-probs after training");
            double[] policyAfter = logps(policy, sequences);
            assertTrue(Math.abs(policyAfter[0] - alone[0]) > 1e-4, "the policy moved, the reference did not");
        }
    }

    private static double[] logps(CausalLM model, List<TokenSequence> sequences) {
        return new SequenceScorer(model, Fixtures.PAD_ID).score(sequences, 4, false).stream()
                .mapToDouble(SequenceScore::logp).toArray();
    }
}
