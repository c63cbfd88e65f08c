package dev.jdpo.model.bench;

import com.google.gson.JsonObject;
import dev.jdpo.model.RandomInit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Random-weight Llama checkpoints for benchmarks: N(0, 0.02) weights, unit norms, FP32 safetensors. */
public final class RandomModel {

    private RandomModel() {
    }

    /**
     * Writes a random Llama with the tokenizer files of another model, for runs through {@code jdpo train}:
     * {@code DIR TOKENIZER_DIR vocab hidden intermediate layers heads kvHeads} (eos id 2, pad id 0).
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            throw new IllegalArgumentException("usage: DIR TOKENIZER_DIR vocab hidden intermediate layers heads "
                    + "kv_heads");
        }
        int[] sizes = new int[6];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = Integer.parseInt(args[i + 2]);
        }
        JsonObject config = llama(sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5]);
        config.addProperty("eos_token_id", 2);
        config.addProperty("pad_token_id", 0);
        RandomInit.write(Path.of(args[0]), config, 0, Path.of(args[1]));
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

    /** Writes {@code config.json} and random weights (seeded) into {@code dir}: {@link RandomInit#writeWeights}. */
    public static void write(Path dir, JsonObject config, long seed) throws Exception {
        RandomInit.writeWeights(dir, config, seed);
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
