package dev.jdpo.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Typed access to a JSON object whose errors name the file and the field. */
public final class JsonFields {

    private final Path file;
    private final JsonObject object;
    private final String prefix;

    public JsonFields(Path file, JsonObject object, String prefix) {
        this.file = file;
        this.object = object;
        this.prefix = prefix;
    }

    /** The JSON object {@code file} holds; anything else, or a file that cannot be read, fails naming the file. */
    public static JsonObject readObject(Path file) throws ModelLoadException {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(file + ": cannot parse: " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new ModelLoadException(file + ": expected a JSON object");
        }
        return parsed.getAsJsonObject();
    }

    public JsonObject object() {
        return object;
    }

    public Path file() {
        return file;
    }

    public boolean present(String field) {
        JsonElement value = object.get(field);
        return value != null && !value.isJsonNull();
    }

    public int requiredInt(String field) throws ModelLoadException {
        if (!present(field)) {
            throw error(field, "is missing");
        }
        return positiveInt(field, object.get(field));
    }

    public int optionalInt(String field, int fallback) throws ModelLoadException {
        return present(field) ? positiveInt(field, object.get(field)) : fallback;
    }

    public int optionalNonNegativeInt(String field, int fallback) throws ModelLoadException {
        if (!present(field)) {
            return fallback;
        }
        JsonElement value = object.get(field);
        try {
            long number = value.getAsJsonPrimitive().getAsLong();
            if (number >= 0 && number <= Integer.MAX_VALUE && value.getAsDouble() == number) {
                return (int) number;
            }
        } catch (RuntimeException e) {
            throw error(field, "must be a non-negative integer, got " + value);
        }
        throw error(field, "must be a non-negative integer, got " + value);
    }

    public double optionalDouble(String field, double fallback) throws ModelLoadException {
        if (!present(field)) {
            return fallback;
        }
        try {
            return object.get(field).getAsJsonPrimitive().getAsDouble();
        } catch (RuntimeException e) {
            throw error(field, "must be a number, got " + object.get(field));
        }
    }

    public double requiredDouble(String field) throws ModelLoadException {
        if (!present(field)) {
            throw error(field, "is missing");
        }
        return optionalDouble(field, Double.NaN);
    }

    public boolean optionalBoolean(String field, boolean fallback) throws ModelLoadException {
        if (!present(field)) {
            return fallback;
        }
        JsonElement value = object.get(field);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw error(field, "must be true or false, got " + value);
        }
        return value.getAsBoolean();
    }

    public Optional<String> optionalString(String field) throws ModelLoadException {
        if (!present(field)) {
            return Optional.empty();
        }
        JsonElement value = object.get(field);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw error(field, "must be a string, got " + value);
        }
        return Optional.of(value.getAsString());
    }

    public Optional<JsonFields> optionalObject(String field) throws ModelLoadException {
        if (!present(field)) {
            return Optional.empty();
        }
        JsonElement value = object.get(field);
        if (!value.isJsonObject()) {
            throw error(field, "must be an object, got " + value);
        }
        return Optional.of(new JsonFields(file, value.getAsJsonObject(), prefix + field + "."));
    }

    public ModelLoadException error(String field, String problem) {
        return new ModelLoadException(file + ": field " + prefix + field + " " + problem);
    }

    private int positiveInt(String field, JsonElement value) throws ModelLoadException {
        try {
            long number = value.getAsJsonPrimitive().getAsLong();
            if (number <= 0 || number > Integer.MAX_VALUE || value.getAsDouble() != number) {
                throw error(field, "must be a positive integer, got " + value);
            }
            return (int) number;
        } catch (RuntimeException e) {
            throw error(field, "must be a positive integer, got " + value);
        }
    }
}
