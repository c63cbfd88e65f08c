package dev.jdpo.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model written from scratch loads, carries transformers' initialisation, and depends only on its seed. */
class RandomInitTest {

    @TempDir Path tmp;

    private static JsonObject config() {
        JsonObject config = TinyCheckpoint.llamaConfig();
        config.addProperty("vocab_size", 512);
        config.addProperty("pad_token_id", 0);
        return config;
    }

    @Test
    void writesALoadableModelWithTheTokenizerFiles() throws Exception {
        RandomInit.write(tmp.resolve("m"), config(), 1, Fixtures.tinyLlama());
        for (String file : new String[] {"config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "chat_template.jinja"}) {
            assertTrue(Files.isRegularFile(tmp.resolve("m").resolve(file)), file);
        }
        try (CausalLM model = CausalLM.load(tmp.resolve("m"), LoadOptions.cpu())) {
            assertEquals(512, model.config().vocabSize());
            assertEquals(List.of(2), model.generationConfig().eosTokenIds());
            float[] norm = model.parameters().get("model.norm.weight").toFloatArray();
            for (float v : norm) {
                assertEquals(1f, v);
            }
            float[] embed = model.parameters().get("model.embed_tokens.weight").toFloatArray();
            double sumSquares = 0;
            for (float v : embed) {
                sumSquares += v * v;
            }
            assertEquals(0.02, Math.sqrt(sumSquares / embed.length), 0.002, "initializer_range is the std");
        }
    }

    @Test
    void theSeedAloneDecidesTheWeights() throws Exception {
        RandomInit.write(tmp.resolve("a"), config(), 5, Fixtures.tinyLlama());
        RandomInit.write(tmp.resolve("b"), config(), 5, Fixtures.tinyLlama());
        RandomInit.write(tmp.resolve("c"), config(), 6, Fixtures.tinyLlama());
        byte[] a = Files.readAllBytes(tmp.resolve("a/model.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        assertFalse(Arrays.equals(a, Files.readAllBytes(tmp.resolve("c/model.safetensors"))));
    }

    @Test
    void refusesAConfigJdpoCannotLoad() {
        JsonObject config = config();
        config.addProperty("model_type", "gpt2");
        ModelLoadException refused = assertThrows(ModelLoadException.class,
                () -> RandomInit.write(tmp.resolve("bad"), config, 1, Fixtures.tinyLlama()));
        assertTrue(refused.getMessage().contains("model_type"), refused.getMessage());
    }
}
