package dev.jdpo.trainer.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.trainer.data.DataCursor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything besides weights and moments that a resumed run needs to continue the exact trajectory, stored as
 * {@code trainer_state.json}. There is no other randomness to capture: the data order is a pure function of
 * (seed, epoch), the model has no dropout, and torch is seeded from {@code seed}.
 *
 * @param globalStep optimizer steps completed (also AdamW's step count and the scheduler's position)
 * @param epoch fractional epochs completed
 * @param cursor position in the data order
 * @param numTokens non-padding tokens trained on so far
 * @param totalSteps the scheduler's total steps
 * @param learningRate the learning rate of the last update
 * @param datasetFingerprint {@link DatasetFingerprint} of the training pairs
 * @param masterWeights whether {@code master_weights.safetensors} holds the FP32 weights (the HF files are in a
 *     lower dtype)
 * @param loggingWindow partial sums of the current logging interval
 * @param config the full config ({@link ConfigJson#toJson})
 * @param configFingerprint {@link ConfigJson#fingerprint}
 */
public record TrainerState(int globalStep, double epoch, DataCursor cursor, long numTokens, int totalSteps,
                           double learningRate, String datasetFingerprint, boolean masterWeights,
                           Map<String, Double> loggingWindow, JsonObject config, String configFingerprint) {

    public static final String FILE = "trainer_state.json";
    private static final String FORMAT = "jdpo-trainer-state/1";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
            .create();

    public TrainerState {
        loggingWindow = Map.copyOf(loggingWindow);
    }

    /** Writes {@code dir/trainer_state.json}. */
    public void write(Path dir) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("global_step", globalStep);
        json.addProperty("epoch", epoch);
        json.addProperty("num_tokens", numTokens);
        JsonObject data = new JsonObject();
        data.addProperty("seed", config.get("seed").getAsLong());
        data.addProperty("epoch_index", cursor.epoch());
        data.addProperty("position", cursor.position());
        data.addProperty("dataset_fingerprint", datasetFingerprint);
        json.add("data", data);
        JsonObject optimizer = new JsonObject();
        optimizer.addProperty("type", "adamw");
        optimizer.addProperty("step", globalStep);
        optimizer.addProperty("file", Checkpoints.OPTIMIZER_FILE);
        json.add("optimizer", optimizer);
        JsonObject scheduler = new JsonObject();
        scheduler.addProperty("type", config.get("lr_scheduler_type").getAsString());
        scheduler.addProperty("total_steps", totalSteps);
        scheduler.addProperty("last_learning_rate", learningRate);
        json.add("scheduler", scheduler);
        JsonObject rng = new JsonObject();
        rng.addProperty("torch_seed", config.get("seed").getAsLong());
        rng.addProperty("data_order", "java.util.Random(seed * 1000003 + epoch_index), Fisher-Yates");
        json.add("rng", rng);
        json.addProperty("master_weights", masterWeights ? Checkpoints.MASTER_WEIGHTS_FILE : null);
        JsonObject window = new JsonObject();
        loggingWindow.forEach(window::addProperty);
        json.add("logging_window", window);
        json.addProperty("config_fingerprint", configFingerprint);
        json.add("config", config);
        Files.writeString(dir.resolve(FILE), GSON.toJson(json), StandardCharsets.UTF_8);
    }

    /** Reads {@code dir/trainer_state.json}; errors name the file and field. */
    public static TrainerState read(Path dir) throws CheckpointException {
        Path file = dir.resolve(FILE);
        JsonObject json;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new CheckpointException(file + ": expected a JSON object");
            }
            json = parsed.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + ": cannot read trainer state: " + e.getMessage(), e);
        }
        Fields fields = new Fields(file, json);
        if (!FORMAT.equals(fields.string(json, "format"))) {
            throw new CheckpointException(file + ": field format is " + json.get("format") + ", expected " + FORMAT);
        }
        JsonObject data = fields.object(json, "data");
        Map<String, Double> window = new LinkedHashMap<>();
        fields.object(json, "logging_window").entrySet()
                .forEach(e -> window.put(e.getKey(), e.getValue().getAsDouble()));
        return new TrainerState(
                (int) fields.number(json, "global_step"),
                fields.number(json, "epoch"),
                new DataCursor((int) fields.number(data, "epoch_index"), (int) fields.number(data, "position")),
                (long) fields.number(json, "num_tokens"),
                (int) fields.number(fields.object(json, "scheduler"), "total_steps"),
                fields.number(fields.object(json, "scheduler"), "last_learning_rate"),
                fields.string(data, "dataset_fingerprint"),
                json.has("master_weights") && !json.get("master_weights").isJsonNull(),
                window,
                fields.object(json, "config"),
                fields.string(json, "config_fingerprint"));
    }

    /** Field access whose errors name the file and the missing field. */
    private record Fields(Path file, JsonObject root) {

        JsonObject object(JsonObject parent, String field) throws CheckpointException {
            JsonElement value = parent.get(field);
            if (value == null || !value.isJsonObject()) {
                throw new CheckpointException(file + ": field " + field + " is missing or not an object");
            }
            return value.getAsJsonObject();
        }

        double number(JsonObject parent, String field) throws CheckpointException {
            JsonElement value = parent.get(field);
            if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
                throw new CheckpointException(file + ": field " + field + " is missing or not a number");
            }
            return value.getAsDouble();
        }

        String string(JsonObject parent, String field) throws CheckpointException {
            JsonElement value = parent.get(field);
            if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
                throw new CheckpointException(file + ": field " + field + " is missing or not a string");
            }
            return value.getAsString();
        }
    }
}
