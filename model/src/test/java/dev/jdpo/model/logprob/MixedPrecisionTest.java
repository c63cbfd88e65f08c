package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FP16 mixed precision (FP16 matmuls, FP32 norms and softmax) stays close to transformers' float64 numbers. */
class MixedPrecisionTest {

    @Test
    void fp16LogProbsAreWithinLooseToleranceOfGolden() throws Exception {
        JsonObject golden = Fixtures.golden("golden");
        List<TokenSequence> sequences = new ArrayList<>();
        List<Double> expected = new ArrayList<>();
        for (JsonElement element : golden.getAsJsonArray("pairs")) {
            for (String side : List.of("chosen", "rejected")) {
                sequences.add(Fixtures.sequence(element.getAsJsonObject(), side));
                expected.add(element.getAsJsonObject().get(side + "_logp").getAsDouble());
            }
        }
        List<SequenceScore> fp32;
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            fp32 = new SequenceScorer(model, 0).score(sequences, 4, false);
        }
        for (boolean trainable : new boolean[] {false, true}) {
            LoadOptions options = new LoadOptions(Device.cpu(), Precision.FP16, trainable);
            try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), options)) {
                List<SequenceScore> scores = new SequenceScorer(model, 0).score(sequences, 4, false);
                double largestDifference = 0;
                for (int i = 0; i < scores.size(); i++) {
                    assertEquals(expected.get(i), scores.get(i).logp(), 5e-2, "sequence " + i + " trainable " + trainable);
                    largestDifference = Math.max(largestDifference, Math.abs(scores.get(i).logp() - fp32.get(i).logp()));
                }
                // FP16 rounding must be visible, or the FP16 path did not run
                assertTrue(largestDifference > 1e-6, "FP16 differs from FP32 by " + largestDifference);
            }
        }
    }

    /** Regression: DJL's casts drop the autograd graph, which made FP16 training fail on its first backward. */
    @Test
    void fp16GradientsReachTheFp32MastersAndTrackFp32() throws Exception {
        List<TokenSequence> sequences = Fixtures.chosenThenRejected();
        Map<String, float[]> fp32 = gradients(LoadOptions.trainableCpu(), sequences);
        Map<String, float[]> fp16 = gradients(new LoadOptions(Device.cpu(), Precision.FP16, true), sequences);
        double difference = 0;
        double norm = 0;
        for (Map.Entry<String, float[]> gradient : fp32.entrySet()) {
            float[] half = fp16.get(gradient.getKey());
            for (int i = 0; i < half.length; i++) {
                difference += Math.pow(half[i] - gradient.getValue()[i], 2);
                norm += Math.pow(gradient.getValue()[i], 2);
            }
        }
        assertTrue(norm > 0);
        assertTrue(Math.sqrt(difference / norm) < 1e-2, "relative gradient error " + Math.sqrt(difference / norm));
    }

    private static Map<String, float[]> gradients(LoadOptions options, List<TokenSequence> sequences)
            throws Exception {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), options);
             NDManager manager = model.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                 PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
                collector.backward(LogProbs.compute(model, batch, false).sequenceLogps().sum());
            }
            for (Map.Entry<String, NDArray> parameter : model.parameters().entrySet()) {
                try (NDArray gradient = parameter.getValue().getGradient()) {
                    assertEquals(DataType.FLOAT32, gradient.getDataType(), parameter.getKey());
                    gradients.put(parameter.getKey(), gradient.toFloatArray());
                }
            }
        }
        return gradients;
    }
}
