package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.RandomInit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With Qwen2's 151,936-token vocabulary, the logits of a few hundred positions take several {@link LogitBudget}
 * slices: the sliced log-probs, metrics and gradients equal those of the whole {@code [B, T-1, vocab]} logits
 * (a narrow random model, so the test stays small), and {@link SequenceScorer}'s slices across rows agree too.
 */
class LogitSlicesTest {

    private static final int VOCAB = 151936;

    @TempDir
    static Path dir;

    private static List<TokenSequence> sequences;

    @BeforeAll
    static void writeModel() throws Exception {
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "qwen2");
        config.addProperty("vocab_size", VOCAB);
        config.addProperty("hidden_size", 16);
        config.addProperty("intermediate_size", 32);
        config.addProperty("num_hidden_layers", 1);
        config.addProperty("num_attention_heads", 2);
        config.addProperty("num_key_value_heads", 1);
        config.addProperty("max_position_embeddings", 1024);
        config.addProperty("rms_norm_eps", 1e-6);
        config.addProperty("rope_theta", 1000000.0);
        config.addProperty("tie_word_embeddings", true);
        config.addProperty("initializer_range", 0.5);
        RandomInit.writeWeights(dir, config, 7);
        Random random = new Random(5);
        // prompts of different lengths: the first scored position differs by row; the widths take 2 slices
        sequences = List.of(
                new TokenSequence(random.ints(40, 0, VOCAB).toArray(), random.ints(250, 0, VOCAB).toArray()),
                new TokenSequence(random.ints(9, 0, VOCAB).toArray(), random.ints(200, 0, VOCAB).toArray()));
    }

    @Test
    void slicedLogProbsMetricsAndGradientsEqualTheWholeLogits() throws Exception {
        long positions = sequences.get(0).length() - 1 - 8;
        assertTrue(positions > LogitBudget.positionsPerSlice(sequences.size(), VOCAB), "needs 2 slices");
        try (CausalLM model = CausalLM.load(dir, LoadOptions.trainableCpu());
             NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
            float[] sliced;
            float[][] slicedMetrics;
            Map<String, float[]> slicedGrads;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                CompletionLogProbs logps = LogProbs.compute(model, batch, true);
                sliced = logps.tokenLogps().toFloatArray();
                slicedMetrics = new float[][] {logps.meanLogitSums().toFloatArray(),
                    logps.correctTokens().toFloatArray(), logps.wpoTokenTerms().toFloatArray()};
                collector.backward(logps.sequenceLogps().sum());
            }
            slicedGrads = gradients(model);
            zeroGradients(model);
            float[] whole;
            float[][] wholeMetrics;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(batch.inputIds(), batch.attentionMask()).get(new NDIndex(":, :-1, :"));
                NDArray labels = batch.inputIds().get(new NDIndex(":, 1:")).expandDims(2);
                NDArray mask = batch.completionMask();
                NDArray tokens = logits.logSoftmax(-1).gather(labels, 2).squeeze(2).mul(mask);
                whole = tokens.toFloatArray();
                NDArray detached = logits.stopGradient();
                wholeMetrics = new float[][] {detached.mean(new int[] {-1}).mul(mask).sum(new int[] {1})
                        .toFloatArray(), detached.argMax(-1).toType(DataType.INT64, false)
                        .eq(labels.squeeze(2).toType(DataType.INT64, false)).toType(
                        DataType.FLOAT32, false).mul(mask).sum(new int[] {1}).toFloatArray(),
                    LogProbs.logSumExp(detached.mul(2f)).sub(LogProbs.logSumExp(detached).mul(2f)).mul(mask)
                        .toFloatArray()};
                collector.backward(tokens.sum());
            }
            assertArrayEquals(whole, sliced, 1e-4f);
            for (int i = 0; i < wholeMetrics.length; i++) {
                assertArrayEquals(wholeMetrics[i], slicedMetrics[i], 1e-3f, "metric " + i);
            }
            Map<String, float[]> wholeGrads = gradients(model);
            assertEquals(wholeGrads.keySet(), slicedGrads.keySet());
            for (String name : wholeGrads.keySet()) {
                assertArrayEquals(wholeGrads.get(name), slicedGrads.get(name), 1e-4f, name);
            }
        }
    }

    @Test
    void scorerSlicesAcrossRowsAgreeWithLogProbs() throws Exception {
        try (CausalLM model = CausalLM.load(dir, LoadOptions.cpu());
             NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
            float[] expected = LogProbs.compute(model, batch, false).sequenceLogps().toFloatArray();
            List<SequenceScore> scores = new SequenceScorer(model, 0).score(sequences, 2, true);
            for (int i = 0; i < sequences.size(); i++) {
                assertEquals(expected[i], scores.get(i).logp(), 1e-4 * Math.abs(expected[i]));
                assertEquals(sequences.get(i).completionIds().length, scores.get(i).tokenLogps().length);
            }
        }
    }

    private static Map<String, float[]> gradients(CausalLM model) {
        Map<String, float[]> grads = new TreeMap<>();
        model.parameters().forEach((name, weight) -> grads.put(name, weight.getGradient().toFloatArray()));
        return grads;
    }

    private static void zeroGradients(CausalLM model) {
        model.parameters().values().forEach(weight -> JniUtils.zeroGrad((PtNDArray) weight));
    }
}
