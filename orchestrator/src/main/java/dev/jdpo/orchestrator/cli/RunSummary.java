package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.trainer.eval.CriteriaEvaluator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run ends with on the console: its status and wall time, the last training and eval metrics, the criteria's
 * pass rates of in-run evaluation (the first evaluation against the last), and where the model is ({@code final/}),
 * or the last checkpoint of a run that did not finish. Fed the events as they are shown.
 */
final class RunSummary {

    private static final List<String> TRAINING_KEYS = List.of("loss", "rewards/accuracies", "rewards/margins",
            "mean_token_accuracy", "grad_norm");
    private static final List<String> EVAL_KEYS = List.of("eval_loss", "eval_rewards/accuracies",
            "eval_rewards/margins", "eval_mean_token_accuracy");

    private MetricsReport lastTraining;
    private MetricsReport lastEval;
    private MetricsReport firstCriteria;
    private MetricsReport lastCriteria;
    private String lastCheckpoint;

    void record(RunEvent event) {
        if (event.hasMetrics()) {
            MetricsReport report = event.getMetrics();
            if (report.containsValues("loss")) {
                lastTraining = report;
            } else if (report.containsValues("eval_loss")) {
                lastEval = report;
            } else if (!passRates(report).isEmpty()) {
                if (firstCriteria == null) {
                    firstCriteria = report;
                }
                lastCriteria = report;
            }
        } else if (event.hasCheckpoint()) {
            lastCheckpoint = event.getCheckpoint().getPath();
        }
    }

    void print(PrintWriter out, Run run) {
        lines(run).forEach(out::println);
        out.flush();
    }

    List<String> lines(Run run) {
        List<String> lines = new ArrayList<>();
        String head = "summary: run " + run.getId() + " " + RunStatuses.shortName(run.getStatus());
        if (run.hasCreatedAt() && run.hasFinishedAt()) {
            head += " in " + wallTime(Duration.ofMillis(Timestamps.toMillis(run.getFinishedAt())
                    - Timestamps.toMillis(run.getCreatedAt())));
        }
        if (run.getTotalSteps() > 0) {
            head += ", step " + run.getStep() + "/" + run.getTotalSteps();
        }
        if (run.hasError() && !run.getError().getMessage().isEmpty()) {
            head += ": " + run.getError().getMessage();
        }
        lines.add(head);
        if (lastTraining != null) {
            lines.add("  train (step " + lastTraining.getStep() + "):" + values(lastTraining, TRAINING_KEYS));
        }
        if (lastEval != null) {
            lines.add("  eval (step " + lastEval.getStep() + "):" + values(lastEval, EVAL_KEYS));
        }
        if (lastCriteria != null) {
            lines.add(criteriaLine());
        }
        if (run.getStatus() == RunStatus.RUN_STATUS_SUCCEEDED && !run.getResultModelDir().isEmpty()) {
            lines.add("  model: " + run.getResultModelDir());
        } else if (lastCheckpoint != null) {
            lines.add("  last checkpoint: " + lastCheckpoint);
        }
        return lines;
    }

    /** {@code criteria (step 0 -> 40): name 40.0% -> 95.0%, ...}, or one step's rates after a single evaluation. */
    private String criteriaLine() {
        boolean both = firstCriteria.getStep() != lastCriteria.getStep();
        Map<String, Double> first = passRates(firstCriteria);
        StringBuilder line = new StringBuilder("  criteria pass rates (step ");
        line.append(both ? firstCriteria.getStep() + " -> " + lastCriteria.getStep() : lastCriteria.getStep())
                .append("):");
        String separator = " ";
        for (Map.Entry<String, Double> rate : passRates(lastCriteria).entrySet()) {
            line.append(separator).append(rate.getKey()).append(' ');
            if (both && first.containsKey(rate.getKey())) {
                line.append(percent(first.get(rate.getKey()))).append(" -> ");
            }
            line.append(percent(rate.getValue()));
            separator = ", ";
        }
        return line.toString();
    }

    /** The {@code eval_criteria/<name>} rates of a report by criterion name. */
    private static Map<String, Double> passRates(MetricsReport report) {
        Map<String, Double> rates = new TreeMap<>();
        report.getValuesMap().forEach((key, value) -> {
            if (key.startsWith(CriteriaEvaluator.PREFIX)) {
                rates.put(key.substring(CriteriaEvaluator.PREFIX.length()), value);
            }
        });
        return rates;
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * rate);
    }

    private static String values(MetricsReport report, List<String> keys) {
        StringBuilder text = new StringBuilder();
        for (String key : keys) {
            Double value = report.getValuesMap().get(key);
            if (value != null) {
                text.append(String.format(Locale.ROOT, " %s=%.4f", key, value));
            }
        }
        return text.toString();
    }

    static String wallTime(Duration wall) {
        long seconds = wall.toSeconds();
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", wall.toMillis() / 1000.0);
        }
        return seconds < 3600 ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60)
                : String.format(Locale.ROOT, "%dh %02dm %02ds", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
