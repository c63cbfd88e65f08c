package dev.jdpo.tokenizer.io;

import com.google.gson.JsonObject;
import dev.jdpo.tokenizer.data.InvalidRowException;

/**
 * One row of an input file: its JSON object, or why it could not be read (bad UTF-8, bad JSON, too long, ...).
 *
 * @param line 1-based line (JSONL) or row (JSON array, Parquet)
 */
public record RawRow(long line, JsonObject object, InvalidRowException error) {

    public static RawRow ok(long line, JsonObject object) {
        return new RawRow(line, object, null);
    }

    public static RawRow bad(long line, InvalidRowException error) {
        return new RawRow(line, null, error);
    }
}
