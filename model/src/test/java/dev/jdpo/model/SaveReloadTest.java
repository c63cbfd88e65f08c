package dev.jdpo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.safetensors.SafetensorsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving writes a complete HF directory that reloads exactly (F32), within rounding (BF16/F16), and sharded. */
class SaveReloadTest {

    private static CausalLM source;

    @BeforeAll
    static void load() throws Exception {
        source = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        source.close();
    }

    @Test
    void f32SaveReloadsBitIdenticalWithConfigTokenizerAndGenerationConfig(@TempDir Path dir) throws Exception {
        source.save(dir, SaveOptions.defaults());
        try (CausalLM reloaded = CausalLM.load(dir, LoadOptions.cpu())) {
            assertEquals(source.parameters().keySet(), reloaded.parameters().keySet());
            for (Map.Entry<String, NDArray> parameter : source.parameters().entrySet()) {
                assertArrayEquals(parameter.getValue().toFloatArray(),
                        reloaded.parameters().get(parameter.getKey()).toFloatArray(), parameter.getKey());
            }
        }
        assertEquals(json(Fixtures.tinyLlama().resolve("config.json")), json(dir.resolve("config.json")));
        assertEquals(json(Fixtures.tinyLlama().resolve("generation_config.json")),
                json(dir.resolve("generation_config.json")));
        for (String file : List.of("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")) {
            assertArrayEquals(Files.readAllBytes(Fixtures.tinyLlama().resolve(file)), Files.readAllBytes(dir.resolve(file)),
                    file);
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8, "data section is 8-byte aligned");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
    }

    @Test
    void bf16SaveIsWithinBf16RoundingAndDeclaresItsDtype(@TempDir Path dir) throws Exception {
        assertWithinRounding(dir, StorageDType.BF16, 0x1p-8, "bfloat16");
    }

    @Test
    void f16SaveIsWithinF16Rounding(@TempDir Path dir) throws Exception {
        assertWithinRounding(dir, StorageDType.F16, 0x1p-11, "float16");
    }

    @Test
    void shardedSaveHasValidIndexAndReloadsIdentically(@TempDir Path dir) throws Exception {
        source.save(dir, new SaveOptions(null, 100_000));
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        JsonObject index = json(dir.resolve("model.safetensors.index.json"));
        JsonObject weightMap = index.getAsJsonObject("weight_map");
        assertEquals(source.parameters().keySet(), weightMap.keySet());
        Set<String> shards = new HashSet<>();
        long totalSize = 0;
        for (String name : weightMap.keySet()) {
            String shard = weightMap.get(name).getAsString();
            shards.add(shard);
            SafetensorsFile file = SafetensorsFile.open(dir.resolve(shard));
            assertTrue(file.entries().containsKey(name), name + " in " + shard);
            totalSize += file.entries().get(name).byteLength();
        }
        assertTrue(shards.size() > 1, "several shards: " + shards);
        for (String shard : shards) {
            assertTrue(shard.matches("model-\\d{5}-of-" + String.format("%05d", shards.size()) + "\\.safetensors"), shard);
            SafetensorsFile file = SafetensorsFile.open(dir.resolve(shard));
            long data = file.entries().values().stream().mapToLong(e -> e.byteLength()).sum();
            // a tensor larger than the limit gets a shard of its own, as in transformers
            assertTrue(data <= 100_000 || file.entries().size() == 1, shard + " respects the limit");
        }
        assertEquals(totalSize, index.getAsJsonObject("metadata").get("total_size").getAsLong());
        try (CausalLM reloaded = CausalLM.load(dir, LoadOptions.cpu())) {
            for (Map.Entry<String, NDArray> parameter : source.parameters().entrySet()) {
                assertArrayEquals(parameter.getValue().toFloatArray(),
                        reloaded.parameters().get(parameter.getKey()).toFloatArray(), parameter.getKey());
            }
        }
        // saving again unsharded replaces the shards instead of leaving a mix behind
        source.save(dir, SaveOptions.defaults());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().startsWith("model-")).count());
        }
        assertFalse(Files.exists(dir.resolve("model.safetensors.index.json")));
    }

    @Test
    void trainableModelSaves(@TempDir Path dir) throws Exception {
        try (CausalLM trainable = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.trainableCpu())) {
            trainable.save(dir, SaveOptions.defaults());
        }
        try (CausalLM reloaded = CausalLM.load(dir, LoadOptions.cpu())) {
            assertArrayEquals(source.parameters().get("lm_head.weight").toFloatArray(),
                    reloaded.parameters().get("lm_head.weight").toFloatArray());
        }
    }

    private static void assertWithinRounding(Path dir, StorageDType dtype, double relative, String torchName)
            throws Exception {
        source.save(dir, new SaveOptions(dtype, SaveOptions.DEFAULT_MAX_SHARD_BYTES));
        JsonObject config = json(dir.resolve("config.json"));
        assertEquals(torchName, config.get("dtype").getAsString());
        JsonObject expected = json(Fixtures.tinyLlama().resolve("config.json"));
        expected.addProperty("dtype", torchName);
        assertEquals(expected, config, "only the dtype field changes");
        SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"));
        file.entries().values().forEach(entry -> assertEquals(dtype.name(), entry.dtypeName(), entry.name()));
        try (CausalLM reloaded = CausalLM.load(dir, LoadOptions.cpu())) {
            assertEquals(dtype, reloaded.sourceDType());
            for (Map.Entry<String, NDArray> parameter : source.parameters().entrySet()) {
                float[] original = parameter.getValue().toFloatArray();
                float[] rounded = reloaded.parameters().get(parameter.getKey()).toFloatArray();
                for (int i = 0; i < original.length; i++) {
                    double bound = relative * Math.abs(original[i]) + 1e-7;
                    assertTrue(Math.abs(original[i] - rounded[i]) <= bound,
                            parameter.getKey() + "[" + i + "]: " + original[i] + " vs " + rounded[i]);
                }
            }
        }
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
