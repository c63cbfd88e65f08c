package dev.jdpo.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;

/** Small random HF checkpoints for the model tests: a tiny Llama config, weights from {@link RandomInit}. */
public final class TinyCheckpoint {

    private TinyCheckpoint() {
    }

    /** A 2-layer Llama config: vocab 64, hidden 32, 4 heads over 2 kv heads, SwiGLU 48. */
    public static JsonObject llamaConfig() {
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "llama");
        config.addProperty("vocab_size", 64);
        config.addProperty("hidden_size", 32);
        config.addProperty("intermediate_size", 48);
        config.addProperty("num_hidden_layers", 2);
        config.addProperty("num_attention_heads", 4);
        config.addProperty("num_key_value_heads", 2);
        config.addProperty("rms_norm_eps", 1e-6);
        config.addProperty("hidden_act", "silu");
        config.addProperty("max_position_embeddings", 128);
        config.addProperty("rope_theta", 10000.0);
        config.addProperty("tie_word_embeddings", false);
        config.addProperty("eos_token_id", 2);
        config.addProperty("torch_dtype", "float32");
        return config;
    }

    /**
     * Writes config.json and random weights for {@code config} with {@link RandomInit}, at a standard deviation of
     * 0.2 unless the config sets {@code initializer_range}: large enough that a tiny model's logits differ visibly.
     */
    public static Path write(Path dir, JsonObject config, long seed) throws Exception {
        JsonObject written = config.deepCopy();
        if (!written.has("initializer_range")) {
            written.addProperty("initializer_range", 0.2);
        }
        RandomInit.writeWeights(dir, written, seed);
        return dir;
    }
}
