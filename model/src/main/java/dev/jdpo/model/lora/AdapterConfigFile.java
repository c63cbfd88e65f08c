package dev.jdpo.model.lora;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.jdpo.model.JsonFields;
import dev.jdpo.model.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** PEFT's {@code adapter_config.json} for a LoRA adapter: read with refusals that name the field, and written. */
final class AdapterConfigFile {

    static final String NAME = "adapter_config.json";

    /**
     * PEFT fields whose non-default values change what the adapter computes or holds, and that jdpo does not
     * implement; each is refused by name rather than silently ignored.
     */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("modules_to_save", "fully trained extra modules are not supported"),
            Map.entry("use_dora", "DoRA is not supported"),
            Map.entry("fan_in_fan_out", "transposed (Conv1D) weights are not supported"),
            Map.entry("lora_bias", "a trained bias on lora_B is not supported"),
            Map.entry("rank_pattern", "per-module ranks are not supported"),
            Map.entry("alpha_pattern", "per-module alphas are not supported"),
            Map.entry("layers_to_transform", "adapting a subset of layers is not supported"),
            Map.entry("exclude_modules", "excluded modules are not supported"),
            Map.entry("layer_replication", "layer replication is not supported"),
            Map.entry("target_parameters", "LoRA on parameters (not modules) is not supported"),
            Map.entry("trainable_token_indices", "trainable token embeddings are not supported"),
            Map.entry("use_qalora", "QALoRA is not supported"),
            Map.entry("megatron_config", "Megatron parallel layers are not supported"));

    /** What the file says: the LoRA settings and the base model it was made for (null when it names none). */
    record Contents(LoraConfig config, String baseModelNameOrPath) { }

    private AdapterConfigFile() {
    }

    static Contents read(Path dir) throws ModelLoadException {
        Path file = dir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(dir + ": not a PEFT adapter directory (" + NAME + " not found)");
        }
        JsonObject object = JsonFields.readObject(file);
        JsonFields f = new JsonFields(file, object, "");
        String peftType = f.optionalString("peft_type").orElseThrow(() -> f.error("peft_type", "is missing"));
        if (!peftType.equals("LORA")) {
            throw f.error("peft_type", "is \"" + peftType + "\"; only LORA adapters are supported");
        }
        String taskType = f.optionalString("task_type").orElse("CAUSAL_LM");
        if (!taskType.equals("CAUSAL_LM")) {
            throw f.error("task_type", "is \"" + taskType + "\"; only CAUSAL_LM adapters are supported");
        }
        String bias = f.optionalString("bias").orElse("none");
        if (!bias.equals("none")) {
            throw f.error("bias", "is \"" + bias + "\"; bias training is not supported (only \"none\")");
        }
        for (Map.Entry<String, String> field : UNSUPPORTED.entrySet()) {
            if (isSet(object.get(field.getKey()))) {
                throw f.error(field.getKey(), "is " + abbreviate(object.get(field.getKey())) + ": "
                        + field.getValue());
            }
        }
        int r = f.optionalInt("r", 8);
        double alpha = f.optionalDouble("lora_alpha", 8);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw f.error("lora_alpha", "must be a positive number, got " + alpha);
        }
        double dropout = f.optionalDouble("lora_dropout", 0);
        if (!(dropout >= 0 && dropout < 1)) {
            throw f.error("lora_dropout", "must be in [0, 1), got " + dropout);
        }
        LoraConfig config = new LoraConfig(r, alpha, dropout, f.optionalBoolean("use_rslora", false),
                targets(f));
        return new Contents(config, f.optionalString("base_model_name_or_path").orElse(null));
    }

    /** Writes the file as PEFT's {@code save_pretrained} does, so {@code PeftModel.from_pretrained} loads it. */
    static void write(Path dir, LoraConfig config, String baseModelNameOrPath) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("peft_type", "LORA");
        json.addProperty("task_type", "CAUSAL_LM");
        json.addProperty("r", config.r());
        json.addProperty("lora_alpha", config.loraAlpha());
        json.addProperty("lora_dropout", config.loraDropout());
        json.addProperty("use_rslora", config.useRslora());
        TargetModules targets = config.targetModules();
        if (targets.names() != null) {
            JsonArray names = new JsonArray();
            targets.names().forEach(names::add);
            json.add("target_modules", names);
        } else {
            json.addProperty("target_modules", targets.pattern());
        }
        json.addProperty("bias", "none");
        json.addProperty("fan_in_fan_out", false);
        json.add("modules_to_save", JsonNull.INSTANCE);
        json.addProperty("use_dora", false);
        json.addProperty("init_lora_weights", true);
        json.addProperty("base_model_name_or_path", baseModelNameOrPath);
        json.addProperty("inference_mode", true);
        Files.writeString(dir.resolve(NAME), new GsonBuilder().setPrettyPrinting().serializeNulls()
                .disableHtmlEscaping().create().toJson(json) + "\n", StandardCharsets.UTF_8);
    }

    private static TargetModules targets(JsonFields f) throws ModelLoadException {
        JsonElement value = f.object().get("target_modules");
        if (value == null || value.isJsonNull()) {
            throw f.error("target_modules", "is missing (PEFT writes the modules it adapted)");
        }
        try {
            if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
                return value.getAsString().equals(TargetModules.ALL_LINEAR) ? TargetModules.allLinear()
                        : TargetModules.pattern(value.getAsString());
            }
            if (value.isJsonArray()) {
                List<String> names = new ArrayList<>();
                for (JsonElement name : value.getAsJsonArray()) {
                    if (!name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString()) {
                        throw f.error("target_modules", "must hold module names, got " + abbreviate(name));
                    }
                    names.add(name.getAsString());
                }
                return TargetModules.names(names);
            }
        } catch (IllegalArgumentException e) {
            throw f.error("target_modules", "is invalid: " + e.getMessage());
        }
        throw f.error("target_modules", "must be a list of module names or a string, got " + abbreviate(value));
    }

    /** Whether a field holds anything but its "off" value (absent, null, false, empty). */
    private static boolean isSet(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return false;
        }
        if (value.isJsonPrimitive()) {
            return value.getAsJsonPrimitive().isBoolean() ? value.getAsBoolean() : !value.getAsString().isEmpty();
        }
        return value.isJsonArray() ? !value.getAsJsonArray().isEmpty() : !value.getAsJsonObject().isEmpty();
    }

    /** The value as JSON, cut short: it echoes the user's file. */
    private static String abbreviate(JsonElement value) {
        String text = value.toString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
