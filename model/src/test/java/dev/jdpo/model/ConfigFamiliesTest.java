package dev.jdpo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.logprob.PaddedBatch;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.model.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qwen2 (biases, tied embeddings), Llama-3 rope scaling and Mistral sliding windows parse, load and run. */
class ConfigFamiliesTest {

    private static final int[] TOKENS = new Random(5).ints(24, 0, 64).toArray();

    private static JsonObject qwen2Config() {
        JsonObject config = TinyCheckpoint.llamaConfig();
        config.addProperty("model_type", "qwen2");
        config.addProperty("tie_word_embeddings", true);
        config.addProperty("use_sliding_window", false);
        config.addProperty("sliding_window", 4);
        config.addProperty("max_window_layers", 1);
        return config;
    }

    private static float[] logits(CausalLM model, int[] tokens) {
        try (NDManager manager = model.manager().newSubManager();
             PaddedBatch batch = PaddedBatch.of(manager, List.of(new TokenSequence(tokens, new int[0])), 0)) {
            return model.forward(batch.inputIds(), batch.attentionMask()).toFloatArray();
        }
    }

    @Test
    void qwen2HasQkvBiasesTiedHeadAndNoWindowUnlessEnabled(@TempDir Path dir) throws Exception {
        TinyCheckpoint.write(dir, qwen2Config(), 2);
        try (CausalLM model = CausalLM.load(dir, LoadOptions.cpu())) {
            ModelConfig config = model.config();
            assertTrue(config.qkvBias());
            assertFalse(config.outputBias());
            assertTrue(config.tieWordEmbeddings());
            assertEquals(0, config.windowOf(1), "use_sliding_window false disables the window");
            assertTrue(model.parameters().containsKey("model.layers.0.self_attn.q_proj.bias"));
            assertTrue(model.parameters().containsKey("model.layers.1.self_attn.v_proj.bias"));
            assertFalse(model.parameters().containsKey("model.layers.0.self_attn.o_proj.bias"));
            assertFalse(model.parameters().containsKey("lm_head.weight"));
            float[] before = logits(model, TOKENS);
            assertEquals(TOKENS.length * 64, before.length);
            // the k bias takes part in the forward pass
            NDArray bias = model.parameters().get("model.layers.0.self_attn.k_proj.bias");
            bias.set(new NDIndex("0"), bias.get(0).getFloat() + 5f);
            assertFalse(java.util.Arrays.equals(before, logits(model, TOKENS)));
            // tied: the LM head is the embedding matrix, and saving writes no lm_head
            model.save(dir.resolve("saved"), SaveOptions.defaults());
            SafetensorsFile saved = SafetensorsFile.open(dir.resolve("saved/model.safetensors"));
            assertFalse(saved.entries().containsKey("lm_head.weight"));
            assertEquals(model.parameters().size(), saved.entries().size());
        }
    }

    @Test
    void qwen2SlidingWindowAppliesFromMaxWindowLayers(@TempDir Path dir) throws Exception {
        JsonObject config = qwen2Config();
        config.addProperty("use_sliding_window", true);
        ModelConfig parsed = ModelConfig.parse(dir.resolve("config.json"), config);
        assertEquals(0, parsed.windowOf(0));
        assertEquals(4, parsed.windowOf(1));
    }

    @Test
    void mistralWindowHidesTokensOutsideIt(@TempDir Path dir) throws Exception {
        JsonObject config = TinyCheckpoint.llamaConfig();
        config.addProperty("model_type", "mistral");
        config.addProperty("num_hidden_layers", 1);
        config.addProperty("sliding_window", 4);
        TinyCheckpoint.write(dir, config, 3);
        try (CausalLM model = CausalLM.load(dir, LoadOptions.cpu())) {
            int[] changed = TOKENS.clone();
            changed[0] = (changed[0] + 1) % 64;
            float[] a = logits(model, TOKENS);
            float[] b = logits(model, changed);
            int vocab = 64;
            // one layer with window 4: position q sees tokens q-3..q, so token 0 reaches positions 0..3 only
            for (int position = 0; position < TOKENS.length; position++) {
                float[] rowA = java.util.Arrays.copyOfRange(a, position * vocab, (position + 1) * vocab);
                float[] rowB = java.util.Arrays.copyOfRange(b, position * vocab, (position + 1) * vocab);
                if (position < 4) {
                    assertFalse(java.util.Arrays.equals(rowA, rowB), "position " + position + " sees token 0");
                } else {
                    assertArrayEquals(rowA, rowB, 1e-6f, "position " + position + " is outside the window");
                }
            }
        }
    }

    @Test
    void llama3RopeScalingMatchesMetasReferenceAndChangesTheModel(@TempDir Path dir) throws Exception {
        JsonObject scaling = JsonParser.parseString("{\"rope_type\": \"llama3\", \"factor\": 8.0, "
                + "\"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 512}")
                .getAsJsonObject();
        JsonObject config = TinyCheckpoint.llamaConfig();
        config.addProperty("rope_theta", 500000.0);
        config.add("rope_scaling", scaling);
        ModelConfig parsed = ModelConfig.parse(dir.resolve("config.json"), config);
        assertEquals("llama3", parsed.rope().type());
        double[] scaled = parsed.rope().inverseFrequencies(parsed.headDim());
        double[] reference = metaApplyScaling(RopeConfig.standard(500000.0).inverseFrequencies(parsed.headDim()),
                8, 1, 4, 512);
        assertArrayEquals(reference, scaled, 1e-15);
        double[] unscaled = RopeConfig.standard(500000.0).inverseFrequencies(parsed.headDim());
        // head_dim 8 gives wavelengths 6, 167, 4440 and 118000: one each of kept, smoothed, divided by 8
        assertEquals(unscaled[0], scaled[0], 0.0);
        assertTrue(scaled[1] < unscaled[1] && scaled[1] > unscaled[1] / 8, "smoothed medium frequency");
        assertEquals(unscaled[2] / 8, scaled[2], 1e-18);
        assertTrue(scaled[scaled.length - 1] < RopeConfig.standard(500000.0).inverseFrequencies(8)[3],
                "the lowest frequency is scaled down");

        TinyCheckpoint.write(dir.resolve("scaled"), config, 4);
        JsonObject plain = TinyCheckpoint.llamaConfig();
        plain.addProperty("rope_theta", 500000.0);
        TinyCheckpoint.write(dir.resolve("plain"), plain, 4);
        try (CausalLM scaledModel = CausalLM.load(dir.resolve("scaled"), LoadOptions.cpu());
             CausalLM plainModel = CausalLM.load(dir.resolve("plain"), LoadOptions.cpu())) {
            float[] a = logits(scaledModel, TOKENS);
            float[] b = logits(plainModel, TOKENS);
            assertArrayEquals(java.util.Arrays.copyOf(a, 64), java.util.Arrays.copyOf(b, 64), 1e-6f,
                    "position 0 has no rotation either way");
            assertFalse(java.util.Arrays.equals(a, b), "later positions rotate differently");
        }
    }

    @Test
    void ropeThetaIsReadFromEitherPlace(@TempDir Path dir) throws Exception {
        JsonObject top = TinyCheckpoint.llamaConfig();
        top.addProperty("rope_theta", 12345.0);
        assertEquals(12345.0, ModelConfig.parse(dir, top).rope().theta());
        JsonObject nested = TinyCheckpoint.llamaConfig();
        nested.remove("rope_theta");
        nested.add("rope_parameters", JsonParser.parseString("{\"rope_type\":\"default\",\"rope_theta\":777.0}"));
        assertEquals(777.0, ModelConfig.parse(dir, nested).rope().theta());
        nested.add("rope_parameters", JsonParser.parseString("{\"rope_type\":\"linear\",\"rope_theta\":777.0,"
                + "\"factor\":2.0}"));
        RopeConfig linear = ModelConfig.parse(dir, nested).rope();
        assertEquals(RopeConfig.standard(777.0).inverseFrequencies(8)[1] / 2, linear.inverseFrequencies(8)[1], 1e-15);
    }

    @Test
    void headDimDefaultsAndExplicitHeadDimIsUsed(@TempDir Path dir) throws Exception {
        JsonObject config = TinyCheckpoint.llamaConfig();
        assertEquals(8, ModelConfig.parse(dir, config).headDim());
        config.addProperty("head_dim", 16);
        TinyCheckpoint.write(dir, config, 6);
        try (CausalLM model = CausalLM.load(dir, LoadOptions.cpu())) {
            assertEquals(16, model.config().headDim());
            assertArrayEquals(new long[] {64, 32},
                    model.parameters().get("model.layers.0.self_attn.q_proj.weight").getShape().getShape());
            assertEquals(TOKENS.length * 64, logits(model, TOKENS).length);
        }
    }

    /** Meta's llama3 {@code apply_scaling}, written independently of the implementation under test. */
    private static double[] metaApplyScaling(double[] freqs, double scale, double low, double high, double oldContext) {
        double lowWavelen = oldContext / low;
        double highWavelen = oldContext / high;
        double[] out = new double[freqs.length];
        for (int i = 0; i < freqs.length; i++) {
            double wavelen = 2 * Math.PI / freqs[i];
            if (wavelen < highWavelen) {
                out[i] = freqs[i];
            } else if (wavelen > lowWavelen) {
                out[i] = freqs[i] / scale;
            } else {
                double smooth = (oldContext / wavelen - low) / (high - low);
                out[i] = (1 - smooth) * freqs[i] / scale + smooth * freqs[i];
            }
        }
        return out;
    }
}
