package dev.jdpo.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken checkpoints fail with a ModelLoadException naming the file and the tensor or field, never a crash. */
class BadInputTest {

    private static Path copyOfTinyLlama(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(Fixtures.tinyLlama())) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        return dir;
    }

    private static ModelLoadException loadFails(Path dir) {
        return assertThrows(ModelLoadException.class, () -> CausalLM.load(dir, LoadOptions.cpu()));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should mention " + part);
        }
    }

    /** Writes a safetensors file with the given header JSON and data bytes. */
    private static void writeRaw(Path file, String header, byte[] data) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json).put(data);
        Files.write(file, buffer.array());
    }

    private static void editConfig(Path dir, String field, String jsonValue) throws Exception {
        Path file = dir.resolve("config.json");
        JsonObject config = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        config.add(field, JsonParser.parseString(jsonValue));
        Files.writeString(file, config.toString());
    }

    @Test
    void truncatedSafetensorsNamesFileAndTensor(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
        ModelLoadException e = loadFails(dir);
        assertMentions(e, "model.safetensors", "tensor ", "overrun");
    }

    @Test
    void fileShorterThanItsHeaderLength(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        Path weights = dir.resolve("model.safetensors");
        Files.write(weights, Arrays.copyOf(Files.readAllBytes(weights), 100));
        assertMentions(loadFails(dir), "model.safetensors", "header length");
        Files.write(weights, new byte[3]);
        assertMentions(loadFails(dir), "model.safetensors", "truncated");
    }

    @Test
    void headerOffsetsOverrunningTheFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("model.safetensors");
        writeRaw(file, "{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}", new byte[20]);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> dev.jdpo.model.safetensors.SafetensorsFile.open(file));
        assertMentions(e, file.toString(), "b.weight", "overrun");
    }

    @Test
    void offsetsContradictingShapeAndDtype(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("model.safetensors");
        writeRaw(file, "{\"a.weight\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[16]);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> dev.jdpo.model.safetensors.SafetensorsFile.open(file));
        assertMentions(e, "a.weight", "needs 8 bytes");
    }

    @Test
    void headerThatIsNotJson(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("model.safetensors");
        writeRaw(file, "{\"a.weight\": [1, 2", new byte[0]);
        assertMentions(assertThrows(ModelLoadException.class,
                () -> dev.jdpo.model.safetensors.SafetensorsFile.open(file)), file.toString(), "JSON");
    }

    @Test
    void unknownDtypeNamesTensor(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        json.getAsJsonObject("model.norm.weight").addProperty("dtype", "I32");
        writeRaw(weights, json.toString(), Arrays.copyOfRange(bytes, 8 + (int) headerLength, bytes.length));
        assertMentions(loadFails(dir), "model.safetensors", "model.norm.weight", "I32");
    }

    @Test
    void missingTensorIsNamed(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("model");
        JsonObject config = TinyCheckpoint.llamaConfig();
        TinyCheckpoint.write(dir, config, 1);
        config.addProperty("tie_word_embeddings", true);
        TinyCheckpoint.write(tmp.resolve("tied"), config, 1);
        // the tied checkpoint lacks lm_head.weight; an untied config then needs it
        Files.copy(tmp.resolve("tied/model.safetensors"), dir.resolve("model.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertMentions(loadFails(dir), "missing tensor lm_head.weight", "tie_word_embeddings");
    }

    @Test
    void shapeContradictingConfigNamesTensorAndConfig(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        editConfig(dir, "intermediate_size", "128");
        assertMentions(loadFails(dir), "model.safetensors", "model.layers.0.mlp.gate_proj.weight", "config.json",
                "[160, 64]", "(128, 64)");
    }

    @Test
    void hugeSizesAreRefusedNamingTheFieldBeforeAnythingIsAllocated(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        // 1e9 layers once ran 40 s into an OutOfMemoryError
        for (String field : new String[] {"num_hidden_layers", "hidden_size", "vocab_size", "intermediate_size",
                "num_attention_heads", "num_key_value_heads", "head_dim"}) {
            Path copy = Files.createDirectories(tmp.resolve("huge-" + field));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
            editConfig(copy, field, "1e9");
            assertMentions(loadFails(copy), "config.json", "field " + field + " is 1000000000; at most");
        }
        editConfig(dir, "num_hidden_layers", "64");
        assertMentions(loadFails(dir), "missing tensor model.layers.2.");
    }

    @Test
    void unsupportedModelTypeNamesConfigAndField(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        editConfig(dir, "model_type", "\"gpt2\"");
        assertMentions(loadFails(dir), "config.json", "model_type", "gpt2");
    }

    @Test
    void unsupportedActivationAndRopeTypeNameTheirFields(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        editConfig(dir, "hidden_act", "\"gelu\"");
        assertMentions(loadFails(dir), "config.json", "hidden_act", "gelu");
        editConfig(dir, "hidden_act", "\"silu\"");
        editConfig(dir, "rope_parameters", "{\"rope_type\": \"yarn\", \"rope_theta\": 10000, \"factor\": 4}");
        assertMentions(loadFails(dir), "config.json", "rope_parameters.rope_type", "yarn");
        editConfig(dir, "rope_parameters", "{\"rope_type\": \"default\", \"rope_theta\": 10000}");
        editConfig(dir, "num_key_value_heads", "3");
        assertMentions(loadFails(dir), "config.json", "num_key_value_heads");
    }

    @Test
    void missingWeightsAndConfigAreNamed(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        Files.delete(dir.resolve("model.safetensors"));
        assertMentions(loadFails(dir), "model.safetensors", "model.safetensors.index.json");
        Files.delete(dir.resolve("config.json"));
        assertMentions(loadFails(dir), "config.json");
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreRejectedBeforeTheEngine() throws Exception {
        try (CausalLM model = CausalLM.load(Fixtures.tinyLlama(), LoadOptions.cpu())) {
            var sequences = java.util.List.of(new dev.jdpo.model.logprob.TokenSequence(new int[] {1, 2}, new int[] {512}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new dev.jdpo.model.logprob.SequenceScorer(model, 0).score(sequences, 1, false));
            assertMentions(e, "512", "vocabulary");
        }
    }

    @Test
    void indexPointingAtAMissingShard(@TempDir Path tmp) throws Exception {
        Path dir = copyOfTinyLlama(tmp);
        Files.delete(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"model.norm.weight\":\"model-00001-of-00002.safetensors\"}}");
        assertMentions(loadFails(dir), "model.safetensors.index.json", "model.norm.weight",
                "model-00001-of-00002.safetensors");
    }
}
