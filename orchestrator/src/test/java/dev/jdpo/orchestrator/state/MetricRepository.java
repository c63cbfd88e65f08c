package dev.jdpo.orchestrator.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the metrics table the runs write: one value per run, step and metric name. */
public final class MetricRepository {

    private final StateDatabase db;

    public MetricRepository(StateDatabase db) {
        this.db = db;
    }

    /** Step -> value of one metric, in step order. */
    public Map<Long, Double> series(String runId, String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT step, metric_value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step")) {
                s.setString(1, runId);
                s.setString(2, name);
                Map<Long, Double> series = new LinkedHashMap<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        series.put(rs.getLong(1), rs.getDouble(2));
                    }
                }
                return series;
            }
        });
    }
}
