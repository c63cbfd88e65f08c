package dev.jdpo.trainer.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.lora.LoraConfig;
import dev.jdpo.model.lora.TargetModules;
import dev.jdpo.trainer.config.LoraTraining;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A config as JSON with TRL's field names, and the fingerprint of the fields that shape the training trajectory.
 * Saving and logging cadence are left out, so they may change on resume, and so is the run's length
 * ({@code max_steps}, {@code num_train_epochs}), so a finished run can be continued for more steps or epochs.
 */
public final class ConfigJson {

    private static final Set<String> LORA_FIELDS = Set.of("lora_adapter", "lora_r", "lora_alpha", "lora_dropout",
            "use_rslora", "lora_target_modules");

    private ConfigJson() { }

    /** Every field, trajectory fields first. */
    public static JsonObject toJson(TrainingConfig config) {
        JsonObject json = trajectory(config);
        json.addProperty("max_steps", config.maxSteps());
        json.addProperty("num_train_epochs", config.epochs());
        json.addProperty("save_steps", config.saveSteps());
        json.addProperty("save_total_limit", config.saveTotalLimit());
        json.addProperty("logging_steps", config.loggingSteps());
        json.addProperty("save_dtype", config.saveDtype() == null ? "source" : config.saveDtype().name());
        json.addProperty("gradient_checkpointing", config.gradientCheckpointing());
        return json;
    }

    /** The fields a resumed run must share with the run that wrote the checkpoint. */
    public static JsonObject trajectory(TrainingConfig config) {
        JsonObject json = new JsonObject();
        json.addProperty("method", config.method().wireName());
        JsonArray losses = new JsonArray();
        config.lossTypes().stream().map(LossType::wireName).forEach(losses::add);
        json.add("loss_type", losses);
        JsonArray weights = new JsonArray();
        config.lossWeights().forEach(weights::add);
        json.add("loss_weights", weights);
        json.addProperty("beta", config.beta());
        json.addProperty("label_smoothing", config.labelSmoothing());
        json.addProperty("simpo_gamma", config.simpoGamma());
        json.addProperty("discopop_tau", config.discopopTau());
        json.addProperty("ld_alpha", config.ldAlpha());
        json.addProperty("use_weighting", config.useWeighting());
        json.addProperty("learning_rate", config.learningRate());
        json.addProperty("weight_decay", config.weightDecay());
        json.addProperty("adam_beta1", config.adamBeta1());
        json.addProperty("adam_beta2", config.adamBeta2());
        json.addProperty("adam_epsilon", config.adamEpsilon());
        json.addProperty("max_grad_norm", config.maxGradNorm());
        json.addProperty("lr_scheduler_type", config.scheduler().wireName());
        json.addProperty("warmup_steps", config.warmupSteps());
        json.addProperty("warmup_ratio", config.warmupRatio());
        json.addProperty("per_device_train_batch_size", config.batchSize());
        json.addProperty("gradient_accumulation_steps", config.gradientAccumulationSteps());
        json.addProperty("seed", config.seed());
        if (config.lora() != null) {
            addLora(json, config.lora());
        }
        return json;
    }

    /**
     * A LoRA run's adapter: the one it continues (its own adapter_config.json holds the rest), or a new one's
     * settings. A full fine-tune has none of these fields, so the two never resume each other.
     */
    private static void addLora(JsonObject json, LoraTraining lora) {
        if (lora.adapter() != null) {
            json.addProperty("lora_adapter", lora.adapter().toAbsolutePath().normalize().toString());
            return;
        }
        LoraConfig settings = lora.newAdapter();
        json.addProperty("lora_r", settings.r());
        json.addProperty("lora_alpha", settings.loraAlpha());
        json.addProperty("lora_dropout", settings.loraDropout());
        json.addProperty("use_rslora", settings.useRslora());
        TargetModules targets = settings.targetModules();
        JsonArray modules = new JsonArray();
        if (targets.names() != null) {
            targets.names().forEach(modules::add);
        } else {
            modules.add(targets.pattern());
        }
        json.add("lora_target_modules", modules);
    }

    /** Hex SHA-256 of {@link #trajectory}'s canonical text. */
    public static String fingerprint(TrainingConfig config) {
        return sha256(trajectory(config).toString());
    }

    /** "field: saved -> current" for each trajectory field that differs (null: the run had no such field). */
    public static List<String> differences(JsonObject saved, TrainingConfig current) {
        JsonObject now = trajectory(current);
        List<String> differences = new ArrayList<>();
        for (String field : trajectoryFields(saved, now)) {
            if (!Objects.equals(saved.get(field), now.get(field))) {
                differences.add(field + ": " + saved.get(field) + " -> " + now.get(field));
            }
        }
        return differences;
    }

    /**
     * The trajectory fields of either config: {@code now}'s, then those only the checkpoint's {@code saved} config
     * has (the LoRA fields of a LoRA checkpoint resumed as a full fine-tune); {@code saved} also holds the fields
     * {@link #toJson} adds, which are not compared.
     */
    public static Set<String> trajectoryFields(JsonObject saved, JsonObject now) {
        Set<String> fields = new LinkedHashSet<>(now.keySet());
        saved.keySet().stream().filter(LORA_FIELDS::contains).forEach(fields::add);
        return fields;
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
