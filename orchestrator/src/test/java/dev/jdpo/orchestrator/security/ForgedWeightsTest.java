package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.safetensors.SafetensorsFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forged safetensors file whose tensors share bytes is refused, naming both tensors. */
class ForgedWeightsTest {

    @Test
    void tensorsWithOverlappingByteRangesAreRefused(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("model.safetensors");
        byte[] header = ("{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(header.length).put(header);
        Files.write(file, bytes.array());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("a.weight") && e.getMessage().contains("b.weight")
                && e.getMessage().contains("overlap"), e.getMessage());
    }
}
