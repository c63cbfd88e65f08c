package dev.jdpo.trainer.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.trainer.optim.LossScaler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A checkpoint's {@code scaler.json}: the FP16 loss scaler's state, with GradScaler's state_dict names. */
final class ScalerJson {

    private ScalerJson() { }

    static void write(Path file, LossScaler.State state) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("scale", state.scale());
        json.addProperty("growth_tracker", state.growthTracker());
        json.addProperty("skipped_steps", state.skippedSteps());
        json.addProperty("growths", state.growths());
        Files.writeString(file, json.toString(), StandardCharsets.UTF_8);
    }

    static LossScaler.State read(Path file) throws CheckpointException {
        try {
            JsonObject json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            return new LossScaler.State(number(file, json, "scale").getAsDouble(),
                    number(file, json, "growth_tracker").getAsInt(), number(file, json, "skipped_steps").getAsInt(),
                    number(file, json, "growths").getAsInt());
        } catch (IOException | IllegalStateException | com.google.gson.JsonParseException e) {
            throw new CheckpointException(file + ": cannot read the loss scaler: " + e.getMessage(), e);
        }
    }

    private static JsonElement number(Path file, JsonObject json, String field) throws CheckpointException {
        JsonElement value = json.get(field);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw new CheckpointException(file + ": field " + field + " is missing or not a number");
        }
        return value;
    }
}
