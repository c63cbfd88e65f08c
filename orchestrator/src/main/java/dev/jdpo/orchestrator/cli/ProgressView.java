package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a run's events as a live progress bar on a terminal (redrawn in place) or as one line per event
 * elsewhere: step/total, loss, reward accuracy, tokens per second and the time left.
 */
final class ProgressView {

    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final boolean terminal;
    private final EventPrinter lines;
    private long firstStepNanos;
    private long firstStep = -1;
    private boolean barShown;

    ProgressView(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.lines = new EventPrinter(out, false);
    }

    void show(RunEvent event) {
        // the bar follows training steps; eval_ and reference/ reports are milestones, printed as lines
        if (event.hasMetrics() && terminal && event.getMetrics().containsValues("loss")) {
            out.print("\r" + bar(event.getMetrics()));
            out.flush();
            barShown = true;
            return;
        }
        if (barShown) {
            out.println();
            barShown = false;
        }
        if (event.hasStatusChange() && RunStatuses.isTerminal(event.getStatusChange().getStatus())) {
            out.println("run " + event.getRunId() + " " + RunStatuses.shortName(event.getStatusChange().getStatus())
                    + ": " + event.getMessage());
            out.flush();
            return;
        }
        lines.print(event);
    }

    String bar(MetricsReport report) {
        long now = System.nanoTime();
        if (firstStep < 0) {
            firstStep = report.getStep();
            firstStepNanos = now;
        }
        long total = Math.max(report.getTotalSteps(), 1);
        int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * report.getStep() / total);
        StringBuilder text = new StringBuilder("[")
                .append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                .append(String.format(Locale.ROOT, "step %d/%d %3d%%", report.getStep(), total,
                        100 * report.getStep() / total));
        metric(text, report, "loss", "loss %.4f");
        metric(text, report, "rewards/accuracies", "acc %.2f");
        metric(text, report, "mean_token_accuracy", "token acc %.2f");
        metric(text, report, "tokens_per_second", "%.0f tok/s");
        long done = report.getStep() - firstStep;
        if (done > 0) {
            long nanosPerStep = (now - firstStepNanos) / done;
            text.append(" | ETA ").append(clock(Duration.ofNanos(nanosPerStep * (total - report.getStep()))));
        }
        return text.toString();
    }

    private static void metric(StringBuilder text, MetricsReport report, String key, String format) {
        Double value = report.getValuesMap().get(key);
        if (value != null) {
            text.append(" | ").append(String.format(Locale.ROOT, format, value));
        }
    }

    private static String clock(Duration left) {
        long seconds = left.toSeconds();
        return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                seconds % 60) : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
