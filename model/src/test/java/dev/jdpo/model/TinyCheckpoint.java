package dev.jdpo.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.jdpo.model.safetensors.CheckpointWriter;
import dev.jdpo.model.transformer.WeightLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Builds small random HF checkpoints in a temporary directory with jdpo's own writer. */
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

    /** Writes config.json and random weights (norm weights near 1, the rest N(0, 0.2)) for {@code config}. */
    public static Path write(Path dir, JsonObject config, long seed) throws Exception {
        Files.createDirectories(dir);
        Path configFile = dir.resolve("config.json");
        Files.writeString(configFile, new GsonBuilder().setPrettyPrinting().create().toJson(config),
                StandardCharsets.UTF_8);
        ModelConfig parsed = ModelConfig.parse(configFile, config);
        Random random = new Random(seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> entry : WeightLayout.expectedShapes(parsed).entrySet()) {
                float[] values = new float[(int) entry.getValue().size()];
                boolean norm = entry.getKey().endsWith("norm.weight");
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) ((norm ? 1 : 0) + random.nextGaussian() * 0.2);
                }
                tensors.put(entry.getKey(), manager.create(values, entry.getValue()));
            }
            CheckpointWriter.write(dir, tensors, StorageDType.F32, Long.MAX_VALUE);
        }
        return dir;
    }
}
