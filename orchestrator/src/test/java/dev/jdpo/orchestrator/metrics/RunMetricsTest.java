package dev.jdpo.orchestrator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What RunMetrics makes of the reports: metric names, the reference counters summed over runs, eval gauges. */
class RunMetricsTest {

    @Test
    void referenceCountersAddUpOverRunsAndMetricNamesBecomePrometheusNames(@TempDir Path tmp) throws Exception {
        try (OrchestratorServer server = new TestWorkspace(tmp).start(new ScriptedRunExecutor(1, 0, 0))) {
            RunMetrics metrics = server.context().getBean(RunMetrics.class);
            metrics.record(report("run-a", 0, 0, Map.of("reference/cache_hits", 3.0, "reference/cache_misses", 5.0,
                    "reference/cache_entries", 8.0, "reference/padding_fraction", 0.1)));
            metrics.record(report("run-b", 0, 0, Map.of("reference/cache_hits", 8.0, "reference/cache_misses", 0.0,
                    "reference/cache_entries", 8.0)));
            metrics.record(report("run-b", 2, 4, Map.of("loss", 0.69, "rewards/accuracies", 0.5)));
            metrics.record(report("run-b", 2, 4, Map.of("eval_rewards/margins", 0.25)));

            assertEquals(11, value(metrics, "jdpo_reference_cache_hits", "run_id", null));
            assertEquals(5, value(metrics, "jdpo_reference_cache_misses", "run_id", null));
            assertEquals(8, value(metrics, "jdpo_reference_cache_entries", "run_id", null), "a size is not summed");
            assertEquals(0.5, value(metrics, "jdpo_run_rewards_accuracies", "run_id", "run-b"));
            assertEquals(0.25, value(metrics, "jdpo_run_eval_rewards_margins", "run_id", "run-b"));
            assertEquals(2, value(metrics, "jdpo_run_step", "run_id", "run-b"));
            assertFalse(metrics.collect().stream().anyMatch(s -> s.getMetadata().getName().contains("padding")),
                    "reference/ values other than the cache counters and sizes are not exported");
            // a reference report has no training position, so run-a has no step yet
            assertEquals(Double.NaN, value(metrics, "jdpo_run_step", "run_id", "run-a"));
        }
    }

    private static RunEvent report(String runId, long step, long total, Map<String, Double> values) {
        return RunEvent.newBuilder().setRunId(runId).setMetrics(MetricsReport.newBuilder().setStep(step)
                .setTotalSteps(total).putAllValues(values)).build();
    }

    /** The value of {@code name} whose {@code label} is {@code labelValue} (null: unlabelled); NaN when absent. */
    private static double value(RunMetrics metrics, String name, String label, String labelValue) {
        for (MetricSnapshot snapshot : metrics.collect()) {
            if (!snapshot.getMetadata().getName().equals(name)) {
                continue;
            }
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                String actual = point.getLabels().get(label);
                if (labelValue == null ? actual == null : labelValue.equals(actual)) {
                    return point instanceof CounterSnapshot.CounterDataPointSnapshot counter ? counter.getValue()
                            : ((GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
                }
            }
        }
        return Double.NaN;
    }
}
