package dev.jdpo.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fingerprint follows the weights and config bytes, and nothing else. */
class ModelFingerprintTest {

    private static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        return to;
    }

    @Test
    void equalForCopiesAndChangesWithAnyWeightOrConfigByte(@TempDir Path tmp) throws Exception {
        String original = ModelFingerprint.of(Fixtures.tinyLlama());
        assertTrue(original.matches("[0-9a-f]{64}"), original);
        Path copy = copy(Fixtures.tinyLlama(), tmp.resolve("copy"));
        assertEquals(original, ModelFingerprint.of(copy));
        Files.writeString(copy.resolve("tokenizer_config.json"), "{}");
        assertEquals(original, ModelFingerprint.of(copy), "tokenizer files do not change the weights");

        Path weights = copy.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 1] ^= 1;
        Files.write(weights, bytes);
        assertNotEquals(original, ModelFingerprint.of(copy));

        Path config = copy(Fixtures.tinyLlama(), tmp.resolve("config"));
        Files.writeString(config.resolve("config.json"), Files.readString(config.resolve("config.json")) + " ");
        assertNotEquals(original, ModelFingerprint.of(config));
        assertNotEquals(original, ModelFingerprint.of(Fixtures.tinyLlamaRef()));
    }

    @Test
    void directoryWithoutWeightsIsAnError(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{}");
        assertTrue(assertThrows(java.io.IOException.class, () -> ModelFingerprint.of(tmp)).getMessage()
                .contains("safetensors"));
    }
}
