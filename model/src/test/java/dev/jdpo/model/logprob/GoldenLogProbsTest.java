package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.Fixtures;
import dev.jdpo.model.LoadOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Our log-probs and logits against transformers' float64 numbers for both tiny checkpoints. */
class GoldenLogProbsTest {

    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of(Fixtures.tinyLlama(), "golden"), Arguments.of(Fixtures.tinyLlamaRef(), "golden_ref"));
    }

    @ParameterizedTest
    @MethodSource("models")
    void scorerMatchesEveryPairAndToken(Path modelDir, String section) throws Exception {
        JsonObject golden = Fixtures.golden(section);
        try (CausalLM model = CausalLM.load(modelDir, LoadOptions.cpu())) {
            List<TokenSequence> sequences = new ArrayList<>();
            for (JsonElement pair : golden.getAsJsonArray("pairs")) {
                sequences.add(Fixtures.sequence(pair.getAsJsonObject(), "chosen"));
                sequences.add(Fixtures.sequence(pair.getAsJsonObject(), "rejected"));
            }
            List<SequenceScore> scores = new SequenceScorer(model, 0).score(sequences, 3, true);
            int i = 0;
            for (JsonElement element : golden.getAsJsonArray("pairs")) {
                JsonObject pair = element.getAsJsonObject();
                for (String side : List.of("chosen", "rejected")) {
                    SequenceScore score = scores.get(i++);
                    assertEquals(pair.get(side + "_logp").getAsDouble(), score.logp(), TOLERANCE, side + " logp");
                    double[] expected = Fixtures.doubles(pair.getAsJsonArray(side + "_token_logps"));
                    assertEquals(expected.length, score.tokens());
                    for (int t = 0; t < expected.length; t++) {
                        assertEquals(expected[t], score.tokenLogps()[t], TOLERANCE, side + " token " + t);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void batchedLogProbsMatchGolden(Path modelDir, String section) throws Exception {
        JsonObject golden = Fixtures.golden(section);
        try (CausalLM model = CausalLM.load(modelDir, LoadOptions.cpu());
             NDManager manager = model.manager().newSubManager()) {
            List<TokenSequence> sequences = new ArrayList<>();
            List<double[]> expectedTokens = new ArrayList<>();
            List<Double> expectedSums = new ArrayList<>();
            for (JsonElement element : golden.getAsJsonArray("pairs")) {
                JsonObject pair = element.getAsJsonObject();
                for (String side : List.of("chosen", "rejected")) {
                    sequences.add(Fixtures.sequence(pair, side));
                    expectedTokens.add(Fixtures.doubles(pair.getAsJsonArray(side + "_token_logps")));
                    expectedSums.add(pair.get(side + "_logp").getAsDouble());
                }
            }
            try (PaddedBatch batch = PaddedBatch.of(manager, sequences, 0)) {
                CompletionLogProbs result = LogProbs.compute(model, batch, true);
                float[] sums = result.sequenceLogps().toFloatArray();
                float[] lengths = result.completionLengths().toFloatArray();
                for (int b = 0; b < sequences.size(); b++) {
                    assertEquals(expectedSums.get(b), sums[b], TOLERANCE, "sequence " + b);
                    assertEquals(expectedTokens.get(b).length, lengths[b], 0.0);
                    int first = sequences.get(b).promptIds().length - 1;
                    float[] row = result.tokenLogps().get(b).toFloatArray();
                    int length = expectedTokens.get(b).length;
                    for (int t = 0; t < row.length; t++) {
                        if (t >= first && t < first + length) {
                            assertEquals(expectedTokens.get(b)[t - first], row[t], TOLERANCE, "sequence " + b + " token " + t);
                        } else {
                            assertEquals(0f, row[t], 0f, "log-prob outside the completion of sequence " + b + " at " + t);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void lastPromptLogitsMatchGolden(Path modelDir, String section) throws Exception {
        JsonObject golden = Fixtures.golden(section);
        JsonObject pair = golden.getAsJsonArray("pairs").get(0).getAsJsonObject();
        TokenSequence sequence = Fixtures.sequence(pair, "chosen");
        double[] expected = Fixtures.doubles(golden.getAsJsonArray("first_sequence_last_logits_head"));
        try (CausalLM model = CausalLM.load(modelDir, LoadOptions.cpu());
             PaddedBatch batch = PaddedBatch.of(model.manager(), List.of(sequence), 0)) {
            NDArray logits = model.forward(batch.inputIds(), batch.attentionMask());
            float[] head = logits.get(new NDIndex("0, {}, 0:{}", sequence.length() - 1, expected.length))
                    .toFloatArray();
            for (int v = 0; v < expected.length; v++) {
                assertEquals(expected[v], head[v], TOLERANCE, "logit " + v);
            }
        }
    }
}
