package dev.jdpo.trainer.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.trainer.config.LossType;
import dev.jdpo.trainer.config.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A config as JSON with TRL's field names, and the fingerprint of the fields that shape the training trajectory.
 * Saving and logging cadence are left out, so they may change on resume, and so is the run's length
 * ({@code max_steps}, {@code num_train_epochs}), so a finished run can be continued for more steps or epochs.
 */
public final class ConfigJson {

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
        return json;
    }

    /** Hex SHA-256 of {@link #trajectory}'s canonical text. */
    public static String fingerprint(TrainingConfig config) {
        return sha256(trajectory(config).toString());
    }

    /** "field: saved -> current" for each trajectory field that differs. */
    public static List<String> differences(JsonObject saved, TrainingConfig current) {
        JsonObject now = trajectory(current);
        List<String> differences = new ArrayList<>();
        for (String field : now.keySet()) {
            JsonElement before = saved.get(field);
            if (before == null || !before.equals(now.get(field))) {
                differences.add(field + ": " + before + " -> " + now.get(field));
            }
        }
        return differences;
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
