package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.ErrorCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Accumulates a {@link ValidationReport} during a pass; keeps at most a fixed number of entries. */
final class ReportBuilder {

    private final int maxEntries;
    private final Map<ErrorCode, Long> errorCounts = new EnumMap<>(ErrorCode.class);
    private final List<ReportEntry> entries = new ArrayList<>();
    private String format = "";
    private long rowsRead;
    private long pairs;
    private long badRows;
    private long truncated;
    private long dropped;
    private long duplicates;
    private long omitted;
    private boolean stoppedEarly;

    ReportBuilder(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    void format(String id) {
        format = id;
    }

    void rowRead() {
        rowsRead++;
    }

    void pair(boolean wasTruncated) {
        pairs++;
        if (wasTruncated) {
            truncated++;
        }
    }

    void duplicate() {
        duplicates++;
    }

    void bad(ReportEntry entry) {
        badRows++;
        errorCounts.merge(entry.code(), 1L, Long::sum);
        if (entry.code() == ErrorCode.PROMPT_TOO_LONG) {
            dropped++;
        }
        if (entries.size() < maxEntries) {
            entries.add(entry);
        } else {
            omitted++;
        }
    }

    void stoppedEarly() {
        stoppedEarly = true;
    }

    ValidationReport build() {
        return new ValidationReport(format, rowsRead, pairs, badRows, truncated, dropped, duplicates, 0, 0,
                stoppedEarly, errorCounts, entries, omitted);
    }
}
