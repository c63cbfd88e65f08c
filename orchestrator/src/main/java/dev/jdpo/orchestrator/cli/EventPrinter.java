package dev.jdpo.orchestrator.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Writes run events for people (one line each) or as JSON lines for scripts. */
final class EventPrinter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace()
            .preservingProtoFieldNames();

    private final PrintWriter out;
    private final boolean json;

    EventPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(RunEvent event) {
        out.println(json ? toJson(event) : toLine(event));
        out.flush();
    }

    private static String toJson(RunEvent event) {
        try {
            return JSON.print(event);
        } catch (InvalidProtocolBufferException unprintable) {
            throw new IllegalStateException("cannot print event " + event.getSequence(), unprintable);
        }
    }

    private static String toLine(RunEvent event) {
        String time = TIME.format(Instant.ofEpochSecond(event.getTime().getSeconds()));
        String level = event.getLevel().name().substring("EVENT_LEVEL_".length());
        String text = switch (event.getPayloadCase()) {
            case METRICS -> metrics(event.getMetrics());
            case STATUS_CHANGE -> "[" + RunStatuses.shortName(event.getStatusChange().getStatus()) + "] "
                    + event.getMessage();
            default -> event.getMessage();
        };
        return String.format(Locale.ROOT, "%5d %s %-5s %s", event.getSequence(), time, level, text);
    }

    private static String metrics(MetricsReport report) {
        // reports before the first step (the reference scorer's counters) have no step count yet
        StringBuilder line = new StringBuilder(report.getTotalSteps() == 0 ? "before training:"
                : String.format(Locale.ROOT, "step %d/%d epoch %.2f", report.getStep(), report.getTotalSteps(),
                        report.getEpoch()));
        Map<String, Double> values = new TreeMap<>(report.getValuesMap());
        values.remove("epoch");
        return line.append(values(values)).toString();
    }

    /** {@code " name=value"} per metric, sorted by name, four significant digits. */
    static String values(Map<String, Double> metrics) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Double> metric : new TreeMap<>(metrics).entrySet()) {
            text.append(String.format(Locale.ROOT, " %s=%.4g", metric.getKey(), metric.getValue()));
        }
        return text.toString();
    }
}
