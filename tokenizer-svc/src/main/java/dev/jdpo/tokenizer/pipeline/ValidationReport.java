package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one pass over a dataset: counts, and an entry per bad row (up to the options' limit).
 *
 * @param format the detected or forced format id; empty when no row was recognizable
 * @param pairs pairs that survived checks, truncation and duplicate removal
 * @param droppedPairs pairs dropped because the prompt left no room (each also has a PROMPT_TOO_LONG entry)
 * @param stoppedEarly whether FAIL policy stopped the pass at the first bad row
 * @param entriesOmitted entries counted in errorCounts but not listed once the limit was reached
 */
public record ValidationReport(String format, long rowsRead, long pairs, long badRows, long truncatedPairs,
                               long droppedPairs, long duplicatesRemoved, long trainPairs, long validationPairs,
                               boolean stoppedEarly, Map<ErrorCode, Long> errorCounts, List<ReportEntry> entries,
                               long entriesOmitted) {

    public ValidationReport {
        errorCounts = Map.copyOf(errorCounts);
        entries = List.copyOf(entries);
    }

    /** True when no row was bad. */
    public boolean clean() {
        return badRows == 0;
    }

    /** The same report with the split sizes filled in. */
    public ValidationReport withSplit(long train, long validation) {
        return new ValidationReport(format, rowsRead, pairs, badRows, truncatedPairs, droppedPairs, duplicatesRemoved,
                train, validation, stoppedEarly, errorCounts, entries, entriesOmitted);
    }
}
