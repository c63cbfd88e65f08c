package dev.jdpo.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.jdpo.model.safetensors.CheckpointWriter;
import dev.jdpo.model.transformer.WeightLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Writes a new Hugging Face model directory with random weights, initialised as transformers initialises a Llama
 * (matrices N(0, initializer_range), norm weights 1, biases 0), deterministic from a seed.
 */
public final class RandomInit {

    private static final double DEFAULT_INITIALIZER_RANGE = 0.02;

    private RandomInit() {
    }

    /**
     * Writes {@code config.json} ({@code config}), {@code generation_config.json} (its eos and pad ids) and FP32
     * weights into {@code dir}, with the tokenizer files and chat template of {@code tokenizerDir}.
     *
     * @throws ModelLoadException when {@code config} is not a model jdpo can load
     */
    public static void write(Path dir, JsonObject config, long seed, Path tokenizerDir)
            throws ModelLoadException, IOException {
        writeWeights(dir, config, seed);
        JsonObject generation = new JsonObject();
        for (String field : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
            if (config.has(field) && !config.get(field).isJsonNull()) {
                generation.add(field, config.get(field));
            }
        }
        ModelDirWriter.writeJson(dir.resolve(GenerationConfig.FILE), generation);
        ModelDirWriter.copyTokenizerFiles(tokenizerDir, dir);
    }

    /**
     * Writes {@code config.json} and the seeded FP32 weights alone (no tokenizer), for models that are only run,
     * never tokenized for, such as the benchmarks' random checkpoints.
     *
     * @throws ModelLoadException when {@code config} is not a model jdpo can load
     */
    public static void writeWeights(Path dir, JsonObject config, long seed) throws ModelLoadException, IOException {
        Files.createDirectories(dir);
        Path configFile = dir.resolve("config.json");
        ModelConfig parsed = ModelConfig.parse(configFile, config);
        double std = config.has("initializer_range") ? config.get("initializer_range").getAsDouble()
                : DEFAULT_INITIALIZER_RANGE;
        Random random = new Random(seed);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> entry : WeightLayout.expectedShapes(parsed).entrySet()) {
                tensors.put(entry.getKey(), manager.create(values(entry.getKey(), entry.getValue(), std, random),
                        entry.getValue()));
            }
            CheckpointWriter.write(dir, tensors, StorageDType.F32, SaveOptions.DEFAULT_MAX_SHARD_BYTES);
        }
        ModelDirWriter.writeJson(configFile, ModelDirWriter.configWithDtype(parsed.json(), StorageDType.F32));
    }

    private static float[] values(String name, Shape shape, double std, Random random) {
        float[] values = new float[Math.toIntExact(shape.size())];
        if (shape.dimension() == 1) {
            // a rank-1 tensor is an RMSNorm weight (ones) or a bias (zeros)
            Arrays.fill(values, name.endsWith(".bias") ? 0f : 1f);
            return values;
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return values;
    }
}
