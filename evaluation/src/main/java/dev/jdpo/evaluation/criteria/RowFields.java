package dev.jdpo.evaluation.criteria;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.Optional;

/** Reads per-row values (limits, expected answers) from prompt-row fields; a missing or wrong value is described. */
final class RowFields {

    private static final int MAX_ECHO = 40;

    private RowFields() {
    }

    /** The row's field as a string or number text, or empty. */
    static Optional<String> text(GeneratedAnswer answer, String field) {
        JsonElement value = answer.row().get(field);
        if (value instanceof JsonPrimitive primitive && (primitive.isString() || primitive.isNumber())) {
            return Optional.of(primitive.getAsString());
        }
        return Optional.empty();
    }

    /** The row's field as a positive whole number, or empty. */
    static Optional<Long> positive(GeneratedAnswer answer, String field) {
        JsonElement value = answer.row().get(field);
        if (value instanceof JsonPrimitive primitive && primitive.isNumber()) {
            double number = primitive.getAsDouble();
            if (number >= 1 && number == Math.rint(number) && number <= Long.MAX_VALUE) {
                return Optional.of((long) number);
            }
        }
        return Optional.empty();
    }

    /** How a missing or unusable field is reported, echoing at most a few characters of the value. */
    static String unusable(GeneratedAnswer answer, String field, String wanted) {
        JsonElement value = answer.row().get(field);
        if (value == null || value.isJsonNull()) {
            return "the prompt row has no field \"" + field + "\"";
        }
        return "the prompt row's field \"" + field + "\" is " + cut(value.toString()) + ", not " + wanted;
    }

    static String cut(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }
}
