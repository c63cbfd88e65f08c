package dev.jdpo.tokenizer.pipeline;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jdpo.tokenizer.data.ErrorCode;
import java.util.Map;
import java.util.TreeMap;

/** Renders a {@link ValidationReport} for people (text) or programs (JSON with stable field names). */
public final class ReportFormatter {

    private ReportFormatter() {
    }

    /** The summary block; entries are printed by the caller as they stream, or by {@link #entries}. */
    public static String summary(ValidationReport r) {
        StringBuilder out = new StringBuilder();
        out.append("format: ").append(r.format().isEmpty() ? "(not recognized)" : r.format()).append('\n');
        out.append("rows read: ").append(r.rowsRead()).append('\n');
        out.append("valid pairs: ").append(r.pairs()).append('\n');
        out.append("bad rows: ").append(r.badRows()).append('\n');
        for (Map.Entry<ErrorCode, Long> e : new TreeMap<>(r.errorCounts()).entrySet()) {
            out.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        out.append("truncated pairs: ").append(r.truncatedPairs()).append('\n');
        out.append("dropped pairs (prompt too long): ").append(r.droppedPairs()).append('\n');
        out.append("duplicates removed: ").append(r.duplicatesRemoved()).append('\n');
        if (r.entriesOmitted() > 0) {
            out.append("entries not listed (limit reached): ").append(r.entriesOmitted()).append('\n');
        }
        if (r.stoppedEarly()) {
            out.append("stopped at the first bad row (policy FAIL)\n");
        }
        return out.toString();
    }

    public static String entries(ValidationReport r) {
        StringBuilder out = new StringBuilder();
        r.entries().forEach(e -> out.append(e.describe()).append('\n'));
        return out.toString();
    }

    public static String json(ValidationReport r) {
        JsonObject o = new JsonObject();
        o.addProperty("format", r.format());
        o.addProperty("rows_read", r.rowsRead());
        o.addProperty("pairs", r.pairs());
        o.addProperty("bad_rows", r.badRows());
        o.addProperty("truncated_pairs", r.truncatedPairs());
        o.addProperty("dropped_pairs", r.droppedPairs());
        o.addProperty("duplicates_removed", r.duplicatesRemoved());
        o.addProperty("stopped_early", r.stoppedEarly());
        JsonObject counts = new JsonObject();
        new TreeMap<>(r.errorCounts()).forEach((code, n) -> counts.addProperty(code.name(), n));
        o.add("error_counts", counts);
        JsonArray entries = new JsonArray();
        for (ReportEntry e : r.entries()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("line", e.line());
            entry.addProperty("field", e.field());
            entry.addProperty("code", e.code().name());
            entry.addProperty("message", e.message());
            entries.add(entry);
        }
        o.add("entries", entries);
        o.addProperty("entries_omitted", r.entriesOmitted());
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
    }
}
