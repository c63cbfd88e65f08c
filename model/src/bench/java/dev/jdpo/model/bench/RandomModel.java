package dev.jdpo.model.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.jdpo.model.ModelConfig;
import dev.jdpo.model.StorageDType;
import dev.jdpo.model.safetensors.CheckpointWriter;
import dev.jdpo.model.transformer.WeightLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Random-weight Llama checkpoints for benchmarks: N(0, 0.02) weights, unit norms, FP32 safetensors. */
public final class RandomModel {

    private RandomModel() {
    }

    /** A Llama config with RoPE theta 10000, RMSNorm eps 1e-5 and untied embeddings. */
    public static JsonObject llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads) {
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "llama");
        config.addProperty("vocab_size", vocab);
        config.addProperty("hidden_size", hidden);
        config.addProperty("intermediate_size", intermediate);
        config.addProperty("num_hidden_layers", layers);
        config.addProperty("num_attention_heads", heads);
        config.addProperty("num_key_value_heads", kvHeads);
        config.addProperty("max_position_embeddings", 2048);
        config.addProperty("rms_norm_eps", 1e-5);
        config.addProperty("rope_theta", 10000.0);
        config.addProperty("torch_dtype", "float32");
        return config;
    }

    /** Writes {@code config.json} and random weights (seeded) into {@code dir}. */
    public static void write(Path dir, JsonObject config, long seed) throws Exception {
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
                    values[i] = norm ? 1f : (float) (random.nextGaussian() * 0.02);
                }
                tensors.put(entry.getKey(), manager.create(values, entry.getValue()));
            }
            CheckpointWriter.write(dir, tensors, StorageDType.F32, Long.MAX_VALUE);
        }
    }

    /** Removes a directory written by {@link #write} (flat: config and weights). */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }
}
