package dev.jdpo.model.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.logprob.LogProbs;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.TokenSequence;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Recomputing each decoder layer in backward leaves the same gradients as keeping the whole graph: for every weight
 * of a full fine-tune (embeddings included) and for a LoRA adapter's A and B on the frozen base.
 */
class GradientCheckpointingTest {

    @Test
    void fullFineTuneGradientsEqualThePlainBackward() throws Exception {
        assertSameGradients(Fixtures.tinyLlama(), null);
    }

    @Test
    void loraGradientsEqualThePlainBackward() throws Exception {
        assertSameGradients(Fixtures.tinyLlama(), Fixtures.tinyLlamaLora());
    }

    private static void assertSameGradients(Path model, Path adapter) throws Exception {
        Map<String, float[]> plain = gradients(model, adapter, false);
        Map<String, float[]> checkpointed = gradients(model, adapter, true);
        assertEquals(plain.keySet(), checkpointed.keySet());
        double norm = 0;
        for (Map.Entry<String, float[]> gradient : plain.entrySet()) {
            float[] expected = gradient.getValue();
            float[] actual = checkpointed.get(gradient.getKey());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6 + 1e-5 * Math.abs(expected[i]), gradient.getKey() + "[" + i
                        + "]");
                norm += (double) expected[i] * expected[i];
            }
        }
        assertTrue(norm > 0, "the gradients are not all zero");
    }

    private static Map<String, float[]> gradients(Path modelDir, Path adapterDir, boolean checkpointing)
            throws Exception {
        List<TokenSequence> sequences = Fixtures.chosenThenRejected();
        Map<String, float[]> gradients = new LinkedHashMap<>();
        try (CausalLM model = CausalLM.load(modelDir, adapterDir, LoadOptions.trainableCpu());
             NDManager manager = model.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                 PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
                model.transformer().setGradientCheckpointing(checkpointing);
                collector.backward(LogProbs.compute(model, batch, false).sequenceLogps().sum());
                if (checkpointing) {
                    model.transformer().backwardThroughLayers();
                }
                model.transformer().setGradientCheckpointing(false);
            }
            for (Map.Entry<String, NDArray> parameter : model.trainableParameters().entrySet()) {
                try (NDArray gradient = parameter.getValue().getGradient()) {
                    gradients.put(parameter.getKey(), gradient.toFloatArray());
                }
            }
        }
        return gradients;
    }
}
