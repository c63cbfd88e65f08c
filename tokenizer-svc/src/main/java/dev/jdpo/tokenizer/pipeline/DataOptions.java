package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.io.RowSources;
import java.util.Optional;

/**
 * How to read, check, truncate, deduplicate, shuffle and split preference data.
 *
 * @param format the input format, or empty to detect it from the first recognizable row
 * @param maxLength longest prompt+completion in tokens, 0 for no limit
 * @param maxPromptLength longest prompt in tokens, 0 for no limit
 * @param maxLineBytes longest accepted JSONL line
 * @param maxReportEntries entries kept in a report (all are counted; every one is passed to a listener)
 */
public record DataOptions(Optional<DataFormat> format, int maxLength, int maxPromptLength,
                          TruncationMode truncationMode, BadLinePolicy policy, long seed, double validationRatio,
                          boolean removeDuplicates, boolean shuffle, int maxLineBytes, int maxReportEntries) {

    public DataOptions {
        if (maxLength < 0 || maxPromptLength < 0) {
            throw new IllegalArgumentException("max_length and max_prompt_length must be >= 0 (0 = no limit)");
        }
        if (!(validationRatio >= 0 && validationRatio < 1)) {
            throw new IllegalArgumentException("validation_ratio must be in [0, 1), got " + validationRatio);
        }
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("max_line_bytes must be > 0, got " + maxLineBytes);
        }
        if (maxReportEntries < 1) {
            throw new IllegalArgumentException("max_report_entries must be >= 1, got " + maxReportEntries);
        }
    }

    /** Detect the format, no length limits, FAIL on bad rows, seed 42, no validation split, remove duplicates. */
    public static DataOptions defaults() {
        return new DataOptions(Optional.empty(), 0, 0, TruncationMode.KEEP_END, BadLinePolicy.FAIL, 42, 0.0,
                true, true, RowSources.DEFAULT_MAX_LINE_BYTES, 10_000);
    }

    public DataOptions withFormat(Optional<DataFormat> value) {
        return new DataOptions(value, maxLength, maxPromptLength, truncationMode, policy, seed, validationRatio,
                removeDuplicates, shuffle, maxLineBytes, maxReportEntries);
    }

    public DataOptions withLengths(int maxLengthValue, int maxPromptLengthValue, TruncationMode mode) {
        return new DataOptions(format, maxLengthValue, maxPromptLengthValue, mode, policy, seed, validationRatio,
                removeDuplicates, shuffle, maxLineBytes, maxReportEntries);
    }

    public DataOptions withPolicy(BadLinePolicy value) {
        return new DataOptions(format, maxLength, maxPromptLength, truncationMode, value, seed, validationRatio,
                removeDuplicates, shuffle, maxLineBytes, maxReportEntries);
    }

    public DataOptions withSplit(long seedValue, double ratio, boolean shuffleValue) {
        return new DataOptions(format, maxLength, maxPromptLength, truncationMode, policy, seedValue, ratio,
                removeDuplicates, shuffleValue, maxLineBytes, maxReportEntries);
    }

    public DataOptions withRemoveDuplicates(boolean value) {
        return new DataOptions(format, maxLength, maxPromptLength, truncationMode, policy, seed, validationRatio,
                value, shuffle, maxLineBytes, maxReportEntries);
    }

    public DataOptions withMaxLineBytes(int value) {
        return new DataOptions(format, maxLength, maxPromptLength, truncationMode, policy, seed, validationRatio,
                removeDuplicates, shuffle, value, maxReportEntries);
    }
}
