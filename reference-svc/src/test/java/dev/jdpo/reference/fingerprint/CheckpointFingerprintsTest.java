package dev.jdpo.reference.fingerprint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.reference.cache.ScoreCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFingerprintsTest {

    @TempDir
    Path dir;

    @Test
    void fingerprintChangesWithAnyWeightByte() throws Exception {
        Path ckpt = checkpoint(new byte[] {1, 2, 3, 4});
        String before = CheckpointFingerprints.weights(ckpt);
        assertEquals(64, before.length());
        assertEquals(before, CheckpointFingerprints.weights(ckpt));
        Files.write(ckpt.resolve("model.safetensors"), new byte[] {1, 2, 3, 5});
        assertNotEquals(before, CheckpointFingerprints.weights(ckpt));
    }

    @Test
    void aRememberedFingerprintIsReusedUntilAFileChanges() throws Exception {
        Path ckpt = checkpoint(new byte[] {9, 9});
        try (ScoreCache memo = ScoreCache.inMemory()) {
            String first = CheckpointFingerprints.weights(ckpt, memo);
            assertEquals(CheckpointFingerprints.weights(ckpt), first);
            // Same bytes, new modification time: the signature changes, so it is hashed again (same result).
            Files.setLastModifiedTime(ckpt.resolve("model.safetensors"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
            assertEquals(first, CheckpointFingerprints.weights(ckpt, memo));
            // Overwrite the file keeping size and time: the remembered value is used, proving no rehash happened.
            FileTime time = Files.getLastModifiedTime(ckpt.resolve("model.safetensors"));
            Files.write(ckpt.resolve("model.safetensors"), new byte[] {7, 7});
            Files.setLastModifiedTime(ckpt.resolve("model.safetensors"), time);
            assertEquals(first, CheckpointFingerprints.weights(ckpt, memo));
            assertNotEquals(first, CheckpointFingerprints.weights(ckpt));
        }
    }

    @Test
    void aDirectoryWithoutWeightsIsRejectedByName() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{}");
        IOException e = assertThrows(IOException.class, () -> CheckpointFingerprints.weights(dir));
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> CheckpointFingerprints.tokenizer(dir.resolve("tokenizer.json")));
    }

    private Path checkpoint(byte[] weights) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\"}");
        Files.write(dir.resolve("model.safetensors"), weights);
        return dir;
    }
}
