package dev.jdpo.tokenizer.data;

import com.google.gson.JsonObject;

/** Turns one JSON row of a given format into a {@link PreferenceExample}, or says precisely what is wrong. */
@FunctionalInterface
interface RowFormat {
    PreferenceExample parse(JsonObject row, long line) throws InvalidRowException;
}
