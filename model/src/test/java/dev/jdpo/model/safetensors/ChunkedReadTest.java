package dev.jdpo.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.jdpo.model.StorageDType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors read in row chunks (the path for tensors over 2 GiB) equal tensors read in one piece. */
class ChunkedReadTest {

    @Test
    void rowChunksReassembleTheTensor(@TempDir Path dir) throws Exception {
        Random random = new Random(3);
        float[] values = new float[37 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("w", manager.create(values, new ai.djl.ndarray.types.Shape(37, 5)));
            for (StorageDType dtype : StorageDType.values()) {
                Path file = dir.resolve(dtype + ".safetensors");
                SafetensorsWriter.write(file, tensors, dtype);
                SafetensorsFile reader = SafetensorsFile.open(file);
                float[] whole = reader.read("w", manager).toFloatArray();
                // 3 rows of 5 floats per chunk: 13 chunks, the last one short
                float[] chunked = reader.read("w", manager, 3 * 5 * 4).toFloatArray();
                assertArrayEquals(whole, chunked, dtype.name());
                assertArrayEquals(reader.readFloats("w"), chunked, dtype.name());
            }
        }
    }
}
