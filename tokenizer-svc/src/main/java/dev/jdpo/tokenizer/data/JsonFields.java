package dev.jdpo.tokenizer.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/** Typed access to JSON fields whose errors name the field's path, e.g. {@code input.messages[2].role}. */
final class JsonFields {

    private JsonFields() {
    }

    static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    static JsonElement required(JsonObject object, String field, String path) throws InvalidRowException {
        JsonElement value = object.get(field);
        if (value == null || value.isJsonNull()) {
            throw new InvalidRowException(ErrorCode.MISSING_FIELD, path, "missing field " + path);
        }
        return value;
    }

    static Optional<JsonElement> optional(JsonObject object, String field) {
        JsonElement value = object.get(field);
        return value == null || value.isJsonNull() ? Optional.empty() : Optional.of(value);
    }

    static String string(JsonObject object, String field, String path) throws InvalidRowException {
        return asString(required(object, field, path), path);
    }

    static String asString(JsonElement value, String path) throws InvalidRowException {
        return as(value, path, "a string", v -> v.isJsonPrimitive() && v.getAsJsonPrimitive().isString(),
                JsonElement::getAsString);
    }

    static JsonObject object(JsonObject object, String field, String path) throws InvalidRowException {
        return asObject(required(object, field, path), path);
    }

    static JsonObject asObject(JsonElement value, String path) throws InvalidRowException {
        return as(value, path, "an object", JsonElement::isJsonObject, JsonElement::getAsJsonObject);
    }

    static JsonArray array(JsonObject object, String field, String path) throws InvalidRowException {
        return asArray(required(object, field, path), path);
    }

    static JsonArray asArray(JsonElement value, String path) throws InvalidRowException {
        return as(value, path, "an array", JsonElement::isJsonArray, JsonElement::getAsJsonArray);
    }

    /** {@code value} as a {@code T} when it {@code is} one, else WRONG_TYPE at {@code path}. */
    private static <T> T as(JsonElement value, String path, String expected, Predicate<JsonElement> is,
                            Function<JsonElement, T> get) throws InvalidRowException {
        if (is.test(value)) {
            return get.apply(value);
        }
        throw wrongType(path, expected, value);
    }

    static InvalidRowException wrongType(String path, String expected, JsonElement actual) {
        return new InvalidRowException(ErrorCode.WRONG_TYPE, path,
                path + " must be " + expected + ", found " + describe(actual));
    }

    static String describe(JsonElement value) {
        if (value.isJsonObject()) {
            return "an object";
        }
        if (value.isJsonArray()) {
            return "an array";
        }
        if (value.isJsonNull()) {
            return "null";
        }
        JsonPrimitive p = value.getAsJsonPrimitive();
        return p.isString() ? "a string" : p.isNumber() ? "a number" : "a boolean";
    }

    /** Plain Java values (Map, List, String, Number, Boolean, null) for the template engine. */
    static Object toJava(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (value.isJsonObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
                map.put(e.getKey(), toJava(e.getValue()));
            }
            return map;
        }
        if (value.isJsonArray()) {
            List<Object> list = new ArrayList<>();
            for (JsonElement e : value.getAsJsonArray()) {
                list.add(toJava(e));
            }
            return list;
        }
        JsonPrimitive p = value.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            double d = p.getAsDouble();
            return d == Math.rint(d) && Math.abs(d) < 1e15 && !p.getAsString().contains(".") ? (Object) p.getAsLong() : d;
        }
        return p.getAsString();
    }
}
