package dev.jdpo.orchestrator.report;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.jdpo.proto.v1.CriterionVerdict;
import dev.jdpo.proto.v1.EvalSample;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.trainer.eval.CriteriaEvaluator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A run as one self-contained HTML page (inline CSS and SVG, nothing fetched at view time): status, the before and
 * after of every criterion of the in-run evaluation, training and evaluation curves, criteria pass rates over time,
 * sample answers of the first and last evaluation, the data and reference-cache counts, and the config.
 */
public final class RunReport {

    private static final String CRITERIA = CriteriaEvaluator.PREFIX;
    private static final String REFERENCE = "reference/";
    private static final List<String> TRAINING_CHARTS = List.of("loss", "rewards/accuracies", "rewards/margins",
            "learning_rate");
    private static final List<String> EVAL_TIMINGS = List.of("eval_runtime", "eval_samples_per_second",
            "eval_steps_per_second");

    private final Run run;
    private final Map<String, NavigableMap<Long, Double>> series = new TreeMap<>();
    private final NavigableMap<Long, EvalSamples> samples = new TreeMap<>();
    private ResolvedHyperparameters hyperparameters;

    /** @param events the run's event log, in order */
    public RunReport(Run run, List<RunEvent> events) {
        this.run = run;
        this.hyperparameters = run.hasHyperparameters() ? run.getHyperparameters() : null;
        for (RunEvent event : events) {
            if (event.hasMetrics()) {
                MetricsReport report = event.getMetrics();
                report.getValuesMap().forEach((name, value) ->
                        series.computeIfAbsent(name, n -> new TreeMap<>()).put(report.getStep(), value));
            } else if (event.hasEvalSamples()) {
                samples.put(event.getEvalSamples().getStep(), event.getEvalSamples());
            } else if (event.hasHyperparameters()) {
                hyperparameters = event.getHyperparameters();
            }
        }
    }

    /** The criteria evaluated during the run, in name order. */
    List<String> criteria() {
        return series.keySet().stream().filter(name -> name.startsWith(CRITERIA))
                .map(name -> name.substring(CRITERIA.length())).toList();
    }

    public String html() {
        StringBuilder page = new StringBuilder(16_384);
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>jdpo run ")
                .append(Html.escape(run.getId())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1120px}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "text-align:left;vertical-align:top}th{background:#f3f3f3}")
                .append(".charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-weight:bold}")
                .append(".pass{color:#1a7f37}.fail{color:#c62828}pre{background:#f7f7f7;padding:8px;overflow:auto}")
                .append(".answer{white-space:pre-wrap;font-family:monospace}")
                .append("</style></head><body>\n");
        summary(page);
        beforeAfter(page);
        charts(page);
        generations(page);
        data(page);
        config(page);
        return page.append("</body></html>\n").toString();
    }

    private void summary(StringBuilder page) {
        page.append("<h1>Run ").append(Html.escape(run.getId())).append("</h1><table id=\"summary\">");
        row(page, "name", run.getName());
        row(page, "status", run.getStatus().name().replace("RUN_STATUS_", "").toLowerCase(java.util.Locale.ROOT));
        row(page, "step", run.getStep() + " / " + run.getTotalSteps());
        if (run.hasCreatedAt()) {
            row(page, "created", Instant.ofEpochSecond(run.getCreatedAt().getSeconds()).toString());
        }
        if (run.hasFinishedAt()) {
            row(page, "finished", Instant.ofEpochSecond(run.getFinishedAt().getSeconds()).toString());
        }
        if (!run.getResultModelDir().isEmpty()) {
            row(page, "aligned model", run.getResultModelDir());
        }
        if (run.hasError()) {
            row(page, "error", run.getError().getCode() + ": " + run.getError().getMessage());
        }
        page.append("</table>\n");
    }

    /** Pass and violation rates of the first evaluation (step 0: before any update) against the last. */
    private void beforeAfter(StringBuilder page) {
        List<String> criteria = criteria();
        if (criteria.isEmpty()) {
            return;
        }
        NavigableMap<Long, Double> first = series.get(CRITERIA + criteria.get(0));
        long before = first.firstKey();
        long after = first.lastKey();
        page.append("<h2>Before and after</h2>");
        if (before != 0 || after == before) {
            page.append("<p>The run has no evaluation at step 0 and a later one to compare.</p>\n");
            return;
        }
        page.append("<p>Criteria of the in-run evaluation on the same held-out prompts, at step 0 (before any update) "
                + "and at step ").append(after).append(".</p><table id=\"before-after\"><tr><th>criterion</th>"
                + "<th>pass rate before</th><th>pass rate after</th><th>violation rate before</th>"
                + "<th>violation rate after</th><th>relative change in violations</th></tr>");
        for (String criterion : criteria) {
            NavigableMap<Long, Double> rates = series.get(CRITERIA + criterion);
            Double passBefore = rates.get(before);
            Double passAfter = rates.get(after);
            if (passBefore == null || passAfter == null) {
                continue;
            }
            double violationsBefore = 1 - passBefore;
            double violationsAfter = 1 - passAfter;
            String change = violationsBefore == 0 ? "n/a"
                    : Html.percent((violationsAfter - violationsBefore) / violationsBefore);
            page.append("<tr data-criterion=\"").append(Html.escape(criterion)).append("\"><td>")
                    .append(Html.escape(criterion)).append("</td><td class=\"pass-before\">")
                    .append(Html.percent(passBefore)).append("</td><td class=\"pass-after\">")
                    .append(Html.percent(passAfter)).append("</td><td class=\"violation-before\">")
                    .append(Html.percent(violationsBefore)).append("</td><td class=\"violation-after\">")
                    .append(Html.percent(violationsAfter)).append("</td><td>").append(change).append("</td></tr>");
        }
        page.append("</table>\n");
    }

    private void charts(StringBuilder page) {
        List<SvgChart> charts = new ArrayList<>();
        for (String name : TRAINING_CHARTS) {
            charts.add(new SvgChart(name).series(name, points(name)));
        }
        for (String name : series.keySet()) {
            if (name.startsWith("eval_") && !name.startsWith(CRITERIA) && !EVAL_TIMINGS.contains(name)) {
                charts.add(new SvgChart(name).series(name, points(name)));
            }
        }
        SvgChart criteria = new SvgChart("criteria pass rates");
        for (String criterion : criteria()) {
            criteria.series(criterion, points(CRITERIA + criterion));
        }
        charts.add(criteria);
        page.append("<h2>Curves</h2><div class=\"charts\">");
        for (SvgChart chart : charts) {
            if (!chart.isEmpty()) {
                page.append("<figure data-metric=\"").append(Html.escape(chart.title())).append("\"><figcaption>")
                        .append(Html.escape(chart.title())).append("</figcaption>").append(chart.svg())
                        .append("</figure>");
            }
        }
        page.append("</div>\n");
    }

    private NavigableMap<Long, Double> points(String name) {
        return series.getOrDefault(name, new TreeMap<>());
    }

    /** The first and the last evaluation's answers side by side (the same prompts, so a before and after). */
    private void generations(StringBuilder page) {
        if (samples.isEmpty()) {
            return;
        }
        EvalSamples first = samples.firstEntry().getValue();
        EvalSamples last = samples.lastEntry().getValue();
        page.append("<h2>Sample generations</h2><table id=\"samples\"><tr><th>prompt</th><th>step ")
                .append(first.getStep()).append("</th>");
        if (last != first) {
            page.append("<th>step ").append(last.getStep()).append("</th>");
        }
        page.append("</tr>");
        for (int i = 0; i < first.getSamplesCount(); i++) {
            page.append("<tr><td class=\"answer\">").append(Html.escape(first.getSamples(i).getPrompt()))
                    .append("</td>");
            answer(page, first.getSamples(i));
            if (last != first && i < last.getSamplesCount()) {
                answer(page, last.getSamples(i));
            }
            page.append("</tr>");
        }
        page.append("</table>\n");
    }

    private static void answer(StringBuilder page, EvalSample sample) {
        page.append("<td><div class=\"answer\">").append(Html.escape(sample.getAnswer())).append("</div>");
        for (CriterionVerdict verdict : sample.getVerdictsList()) {
            page.append("<div class=\"").append(verdict.getPass() ? "pass" : "fail").append("\">")
                    .append(verdict.getPass() ? "&#10003; " : "&#10007; ").append(Html.escape(verdict.getCriterion()))
                    .append(verdict.getReason().isEmpty() ? "" : ": " + Html.escape(verdict.getReason()))
                    .append("</div>");
        }
        page.append("</td>");
    }

    private void data(StringBuilder page) {
        page.append("<h2>Data</h2><table id=\"data\">");
        row(page, "training file", run.getConfig().getData().getTrainingFile());
        if (!run.getConfig().getData().getValidationFile().isEmpty()) {
            row(page, "validation file", run.getConfig().getData().getValidationFile());
        }
        if (hyperparameters != null) {
            row(page, "training pairs", String.valueOf(hyperparameters.getTrainingPairs()));
            row(page, "validation pairs", String.valueOf(hyperparameters.getValidationPairs()));
            row(page, "planned steps", String.valueOf(hyperparameters.getTotalSteps()));
            row(page, "epochs", String.valueOf(hyperparameters.getNEpochs()));
            row(page, "batch size", String.valueOf(hyperparameters.getBatchSize()));
            row(page, "learning rate", Html.number(hyperparameters.getLearningRate()));
            row(page, "beta", Html.number(hyperparameters.getBeta()));
        }
        page.append("</table>");
        Map<String, Double> reference = new LinkedHashMap<>();
        series.forEach((name, points) -> {
            if (name.startsWith(REFERENCE)) {
                reference.put(name.substring(REFERENCE.length()), points.lastEntry().getValue());
            }
        });
        if (!reference.isEmpty()) {
            page.append("<h3>Reference scoring</h3><table id=\"reference\">");
            reference.forEach((name, value) -> row(page, name, Html.number(value)));
            page.append("</table>");
        }
        page.append("\n");
    }

    private void config(StringBuilder page) {
        String json;
        try {
            json = JsonFormat.printer().preservingProtoFieldNames().print(run.getConfig());
        } catch (InvalidProtocolBufferException e) {
            json = run.getConfig().toString();
        }
        page.append("<h2>Config</h2><pre id=\"config\">").append(Html.escape(json)).append("</pre>\n");
    }

    private static void row(StringBuilder page, String name, String value) {
        page.append("<tr><th>").append(Html.escape(name)).append("</th><td>").append(Html.escape(value))
                .append("</td></tr>");
    }
}
