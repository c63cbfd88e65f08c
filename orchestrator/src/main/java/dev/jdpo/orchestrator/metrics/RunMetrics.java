package dev.jdpo.orchestrator.metrics;

import dev.jdpo.orchestrator.run.EventLog;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.state.RunRepository;
import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The orchestrator's metrics for Prometheus, read from the run events as they are stored: each run's latest training
 * and eval metrics as gauges labelled {@code run_id} ({@code jdpo_run_loss}, {@code jdpo_run_rewards_accuracies},
 * ...: TRL's name with every character outside [a-zA-Z0-9_] as '_'), the reference cache counters the runs report,
 * and, at scrape time, runs by status ({@code jdpo_runs}) and the queue depth ({@code jdpo_queue_depth}).
 */
public final class RunMetrics implements MultiCollector, AutoCloseable {

    private static final String REFERENCE_PREFIX = "reference/";
    private static final Pattern NOT_IN_A_NAME = Pattern.compile("[^a-zA-Z0-9_]");
    /** Reference scorer counters summed over the runs' reports; name, help. */
    private static final Map<String, String> REFERENCE_COUNTERS = Map.of(
            "cache_hits", "Pairs whose reference log-probs came from the cache",
            "cache_misses", "Pairs the reference model scored because the cache lacked them",
            "cache_corrupt", "Cache entries found corrupt (CRC mismatch), removed and rescored",
            "forward_passes", "Reference model forward passes");
    /** Reference cache size as last reported; name, help. */
    private static final Map<String, String> REFERENCE_GAUGES = Map.of(
            "cache_entries", "Entries in the reference log-prob cache, as last reported",
            "cache_bytes", "Size of the reference log-prob cache file in bytes, as last reported");

    private final RunRepository runs;
    private final RunManager manager;
    private final PrometheusRegistry registry;
    private final EventLog.Subscription subscription;
    // run id -> metric name -> latest value; TreeMaps so a scrape lists them in a stable order
    private final Map<String, Map<String, Double>> latest = new ConcurrentHashMap<>();
    private final Map<String, Double> reference = new ConcurrentHashMap<>();

    /** Starts recording the events {@code manager} stores, and registers with {@code registry} until closed. */
    public RunMetrics(RunManager manager, RunRepository runs, PrometheusRegistry registry) {
        this.runs = runs;
        this.manager = manager;
        this.registry = registry;
        this.subscription = manager.events().observe(this::record);
        registry.register(this);
    }

    /** Keeps what {@code event} reports; the event log calls it for every stored event. */
    void record(RunEvent event) {
        if (!event.hasMetrics()) {
            return;
        }
        MetricsReport report = event.getMetrics();
        Map<String, Double> run = latest.computeIfAbsent(event.getRunId(), id -> new TreeMap<>());
        synchronized (run) {
            report.getValuesMap().forEach((key, value) -> {
                if (key.startsWith(REFERENCE_PREFIX)) {
                    String name = key.substring(REFERENCE_PREFIX.length());
                    if (REFERENCE_COUNTERS.containsKey(name)) {
                        reference.merge(name, value, Double::sum);
                    } else if (REFERENCE_GAUGES.containsKey(name)) {
                        reference.put(name, value);
                    }
                } else {
                    run.put(NOT_IN_A_NAME.matcher(key).replaceAll("_"), value);
                }
            });
            // step-0 reports (the reference scorer's) carry no training position
            if (report.getTotalSteps() > 0) {
                run.put("step", (double) report.getStep());
                run.put("total_steps", (double) report.getTotalSteps());
            }
        }
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> snapshots = new ArrayList<>(runGauges());
        REFERENCE_COUNTERS.forEach((name, help) -> snapshots.add(CounterSnapshot.builder()
                .name("jdpo_reference_" + name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(reference.getOrDefault(name, 0.0)).build())
                .build()));
        REFERENCE_GAUGES.forEach((name, help) -> snapshots.add(gauge("jdpo_reference_" + name, help,
                reference.getOrDefault(name, 0.0), Labels.EMPTY)));
        GaugeSnapshot.Builder byStatus = GaugeSnapshot.builder().name("jdpo_runs")
                .help("Runs in the run state, by status");
        Map<RunStatus, Long> counts = runs.countByStatus();
        for (RunStatus status : RunStatus.values()) {
            if (status != RunStatus.RUN_STATUS_UNSPECIFIED && status != RunStatus.UNRECOGNIZED) {
                byStatus.dataPoint(GaugeDataPointSnapshot.builder().value(counts.getOrDefault(status, 0L))
                        .labels(Labels.of("status", RunStatuses.shortName(status))).build());
            }
        }
        snapshots.add(byStatus.build());
        snapshots.add(gauge("jdpo_queue_depth", "Runs validated and waiting for a training slot",
                manager.queueDepth(), Labels.EMPTY));
        return new MetricSnapshots(snapshots);
    }

    /** One gauge per metric name, with a data point for each run that reported it. */
    private List<MetricSnapshot> runGauges() {
        Map<String, GaugeSnapshot.Builder> gauges = new TreeMap<>();
        latest.forEach((runId, values) -> {
            synchronized (values) {
                values.forEach((name, value) -> gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder()
                                .name("jdpo_run_" + n).help("Latest value of the run metric " + n + ", per run"))
                        .dataPoint(GaugeDataPointSnapshot.builder().value(value)
                                .labels(Labels.of("run_id", runId)).build()));
            }
        });
        return gauges.values().stream().map(builder -> (MetricSnapshot) builder.build()).toList();
    }

    private static GaugeSnapshot gauge(String name, String help, double value, Labels labels) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).labels(labels).build()).build();
    }

    @Override
    public void close() {
        subscription.close();
        registry.unregister(this);
    }
}
