package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gradients flow through {@link LogProbs#compute} (with the forward pass closing its intermediates): a sigmoid
 * DPO loss built on it reproduces transformers' loss and global gradient norm from golden.json's dpo_step.
 */
class LogProbsGradientTest {

    @Test
    void dpoLossAndGradientNormMatchTransformers() throws Exception {
        JsonObject step = Fixtures.golden("dpo_step");
        JsonObject golden = Fixtures.golden("golden");
        List<TokenSequence> sequences = new ArrayList<>();
        for (String side : List.of("chosen", "rejected")) {
            for (JsonElement pair : golden.getAsJsonArray("pairs")) {
                sequences.add(Fixtures.sequence(pair.getAsJsonObject(), side));
            }
        }
        int pairs = sequences.size() / 2;
        float beta = step.get("beta").getAsFloat();
        double[] refChosen = Fixtures.doubles(step.getAsJsonArray("ref_chosen_logps"));
        double[] refRejected = Fixtures.doubles(step.getAsJsonArray("ref_rejected_logps"));
        float[] refMargin = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            refMargin[i] = (float) (refChosen[i] - refRejected[i]);
        }
        try (CausalLM policy = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.trainableCpu());
             NDManager manager = policy.manager().newSubManager()) {
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                 PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
                CompletionLogProbs logps = LogProbs.compute(policy, batch, true);
                NDArray chosen = logps.sequenceLogps().get(new NDIndex("0:{}", pairs));
                NDArray rejected = logps.sequenceLogps().get(new NDIndex("{}:", pairs));
                NDArray margin = chosen.sub(rejected).sub(manager.create(refMargin)).mul(beta);
                NDArray lossArray = margin.neg().exp().add(1f).log().mean();
                loss = lossArray.getFloat();
                // the metrics are detached: backward through them has nothing to differentiate
                assertThrows(EngineException.class, () -> collector.backward(logps.meanLogitSums().sum()));
                assertThrows(EngineException.class, () -> collector.backward(logps.wpoTokenTerms().sum()));
                collector.backward(lossArray);
            }
            double squares = 0;
            for (NDArray parameter : policy.parameters().values()) {
                try (NDArray gradient = parameter.getGradient()) {
                    squares += gradient.square().sum().getFloat();
                }
            }
            assertEquals(step.get("loss").getAsDouble(), loss, 1e-5);
            assertEquals(step.get("grad_norm").getAsDouble(), Math.sqrt(squares), 1e-4);
        }
    }

    @Test
    void scorerLeavesGradModeAsItWas() throws Exception {
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            JniUtils.setGradMode(true);
            try {
                new SequenceScorer(model, 0).score(List.of(new TokenSequence(new int[] {5, 6}, new int[] {7})), 1, false);
                assertTrue(JniUtils.isGradMode(), "grad mode restored after scoring");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }
}
