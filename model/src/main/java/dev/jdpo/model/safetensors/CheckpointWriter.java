package dev.jdpo.model.safetensors;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.jdpo.model.StorageDType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a model's tensors as {@code model.safetensors}, or, over the shard limit, as
 * {@code model-0000i-of-0000N.safetensors} plus {@code model.safetensors.index.json} (transformers' layout:
 * a new shard starts when the next tensor would push the current one over the limit).
 */
public final class CheckpointWriter {

    private CheckpointWriter() {
    }

    /** Writes {@code tensors} (FP32, in order) into {@code dir}, removing weight files of an earlier save. */
    public static void write(Path dir, Map<String, NDArray> tensors, StorageDType dtype, long maxShardBytes)
            throws IOException {
        List<Map<String, NDArray>> shards = plan(tensors, dtype, maxShardBytes);
        removeOldWeights(dir);
        if (shards.size() == 1) {
            SafetensorsWriter.write(dir.resolve(CheckpointReader.SINGLE_FILE), shards.get(0), dtype);
            return;
        }
        Map<String, String> weightMap = new TreeMap<>();
        long totalSize = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(name), shards.get(i), dtype);
            for (Map.Entry<String, NDArray> tensor : shards.get(i).entrySet()) {
                weightMap.put(tensor.getKey(), name);
                totalSize += SafetensorsWriter.byteSize(tensor.getValue(), dtype);
            }
        }
        JsonObject index = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("total_size", totalSize);
        index.add("metadata", metadata);
        JsonObject map = new JsonObject();
        weightMap.forEach(map::addProperty);
        index.add("weight_map", map);
        Files.writeString(dir.resolve(CheckpointReader.INDEX_FILE),
                new GsonBuilder().setPrettyPrinting().create().toJson(index) + "\n", StandardCharsets.UTF_8);
    }

    private static List<Map<String, NDArray>> plan(Map<String, NDArray> tensors, StorageDType dtype, long limit) {
        List<Map<String, NDArray>> shards = new ArrayList<>();
        Map<String, NDArray> current = new LinkedHashMap<>();
        long currentBytes = 0;
        for (Map.Entry<String, NDArray> tensor : tensors.entrySet()) {
            long bytes = SafetensorsWriter.byteSize(tensor.getValue(), dtype);
            if (!current.isEmpty() && currentBytes + bytes > limit) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(tensor.getKey(), tensor.getValue());
            currentBytes += bytes;
        }
        shards.add(current);
        return shards;
    }

    private static void removeOldWeights(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(CheckpointReader.SINGLE_FILE));
        Files.deleteIfExists(dir.resolve(CheckpointReader.INDEX_FILE));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "model-*-of-*.safetensors")) {
            for (Path shard : old) {
                Files.delete(shard);
            }
        }
    }
}
