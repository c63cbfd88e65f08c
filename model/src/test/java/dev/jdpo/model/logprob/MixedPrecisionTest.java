package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import java.util.ArrayList;
import java.util.List;
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
}
