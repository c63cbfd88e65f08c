package dev.jdpo.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The tensors of a Hugging Face model directory: {@code model.safetensors} or shards listed in the index. */
public final class CheckpointReader {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final Map<String, SafetensorsFile> fileOfTensor;

    private CheckpointReader(Path dir, Map<String, SafetensorsFile> fileOfTensor) {
        this.dir = dir;
        this.fileOfTensor = fileOfTensor;
    }

    /** Opens the checkpoint; a single {@code model.safetensors} wins over an index, as in transformers. */
    public static CheckpointReader open(Path dir) throws ModelLoadException {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> map = new LinkedHashMap<>();
            file.entries().keySet().forEach(name -> map.put(name, file));
            return new CheckpointReader(dir, map);
        }
        if (Files.isRegularFile(index)) {
            return new CheckpointReader(dir, readIndex(dir, index));
        }
        throw new ModelLoadException(dir + ": no weights: neither " + SINGLE_FILE + " nor " + INDEX_FILE
                + " is present");
    }

    public Path dir() {
        return dir;
    }

    public Optional<TensorEntry> entry(String name) {
        SafetensorsFile file = fileOfTensor.get(name);
        return file == null ? Optional.empty() : Optional.of(file.entries().get(name));
    }

    /** The file that holds {@code name}, for error messages. */
    public Optional<Path> fileOf(String name) {
        SafetensorsFile file = fileOfTensor.get(name);
        return file == null ? Optional.empty() : Optional.of(file.path());
    }

    /** Reads a tensor as FP32 on {@code manager}'s device. */
    public NDArray read(String name, NDManager manager) throws ModelLoadException {
        SafetensorsFile file = fileOfTensor.get(name);
        if (file == null) {
            throw new ModelLoadException(dir + ": missing tensor " + name);
        }
        return file.read(name, manager);
    }

    private static Map<String, SafetensorsFile> readIndex(Path dir, Path index) throws ModelLoadException {
        JsonObject weightMap;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
            weightMap = parsed.getAsJsonObject().getAsJsonObject("weight_map");
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(index + ": cannot read the shard index: " + e.getMessage(), e);
        }
        if (weightMap == null) {
            throw new ModelLoadException(index + ": field weight_map is missing");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> mapping : weightMap.entrySet()) {
            String shardName = mapping.getValue().getAsString();
            Path shardPath = dir.resolve(shardName).normalize();
            if (!shardPath.startsWith(dir.normalize()) || !Files.isRegularFile(shardPath)) {
                throw new ModelLoadException(index + ": weight_map puts tensor " + mapping.getKey()
                        + " in " + shardName + ", which does not exist in " + dir);
            }
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
            }
            if (!shard.entries().containsKey(mapping.getKey())) {
                throw new ModelLoadException(index + ": weight_map puts tensor " + mapping.getKey() + " in "
                        + shardPath + ", whose header has no such tensor");
            }
            map.put(mapping.getKey(), shard);
        }
        return map;
    }
}
