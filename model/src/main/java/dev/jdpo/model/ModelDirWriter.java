package dev.jdpo.model;

import ai.djl.ndarray.NDArray;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.safetensors.CheckpointWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/** Writes a {@link CausalLM} as a Hugging Face model directory that transformers and jdpo load alike. */
final class ModelDirWriter {

    /** Tokenizer and template files a model directory may carry; copied verbatim when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "tokenizer.model", "vocab.json", "merges.txt",
            "chat_template.jinja", "chat_template.json");

    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .create();

    private ModelDirWriter() {
    }

    static void write(CausalLM model, Path dir, SaveOptions options) throws IOException {
        StorageDType dtype = options.dtype() == null ? model.sourceDType() : options.dtype();
        Files.createDirectories(dir);
        Map<String, NDArray> tensors = model.parameters();
        CheckpointWriter.write(dir, tensors, dtype, options.maxShardBytes());
        writeJson(dir.resolve("config.json"), configWithDtype(model.config().json(), dtype));
        writeJson(dir.resolve(GenerationConfig.FILE), model.generationConfig().json());
        copyTokenizerFiles(model.sourceDir(), dir);
    }

    /**
     * Writes the attached adapter in PEFT's format, with the tokenizer files and a verbatim copy of the base's
     * config.json beside it (so the directory is self-describing and its vocabulary readable).
     */
    static void writeAdapter(CausalLM model, Path dir) throws IOException {
        LoraAdapter adapter = model.adapter().orElseThrow(() -> new IllegalStateException("no adapter is attached"));
        adapter.save(dir);
        writeJson(dir.resolve("config.json"), model.config().json());
        copyTokenizerFiles(model.sourceDir(), dir);
    }

    /** The source config with only the dtype fields changed; "torch_dtype" is added when it names none. */
    static JsonObject configWithDtype(JsonObject source, StorageDType dtype) {
        JsonObject config = source.deepCopy();
        boolean named = false;
        for (String field : List.of("torch_dtype", "dtype")) {
            if (config.has(field)) {
                config.addProperty(field, dtype.torchName());
                named = true;
            }
        }
        if (!named) {
            config.addProperty("torch_dtype", dtype.torchName());
        }
        return config;
    }

    static void copyTokenizerFiles(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source) || Files.isSameFile(source, target)) {
            return;
        }
        for (String name : TOKENIZER_FILES) {
            Path file = source.resolve(name);
            if (Files.isRegularFile(file)) {
                Files.copy(file, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void writeJson(Path file, JsonObject object) throws IOException {
        Files.writeString(file, JSON.toJson(object) + "\n", StandardCharsets.UTF_8);
    }
}
