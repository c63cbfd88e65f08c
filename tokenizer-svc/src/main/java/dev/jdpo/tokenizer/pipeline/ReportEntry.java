package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.ErrorCode;

/**
 * One problem with one input row.
 *
 * @param line 1-based line (JSONL) or row (JSON array, Parquet)
 * @param field path of the offending field, e.g. {@code preferred_output[0].role}; empty for the whole row
 */
public record ReportEntry(long line, String field, ErrorCode code, String message) {

    /** One line of human-readable text: {@code line 12 preferred_output[0].role: UNKNOWN_ROLE: ...}. */
    public String describe() {
        return "line " + line + (field.isEmpty() ? "" : " " + field) + ": " + code + ": " + message;
    }
}
