package dev.jdpo.orchestrator.state;

import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The events table and everything an event changes (metrics, checkpoints, the run's row), written in one
 * transaction so the log and the projections never disagree, even after a kill -9.
 */
public final class EventJournal {

    private final StateDatabase db;
    private final RunRepository runs;

    public EventJournal(StateDatabase db, RunRepository runs) {
        this.db = db;
        this.runs = runs;
    }

    /**
     * Gives the draft the run's next sequence and stores it. Returns the stored event, or null when the
     * run is already terminal: the terminal status event is always the last event of a run.
     *
     * @throws IllegalArgumentException when the run does not exist
     */
    public RunEvent append(RunEvent.Builder draft) {
        return db.inTransaction(c -> {
            RunRepository.RunHead head = runs.lockHead(c, draft.getRunId());
            if (head == null) {
                throw new IllegalArgumentException("no run " + draft.getRunId());
            }
            if (RunStatuses.isTerminal(head.status())) {
                return null;
            }
            RunEvent event = draft.setSequence(head.lastSequence() + 1).build();
            insertEvent(c, event);
            switch (event.getPayloadCase()) {
                case METRICS -> upsertMetrics(c, event);
                case CHECKPOINT -> replaceCheckpoint(c, event);
                default -> {
                }
            }
            runs.apply(c, event);
            return event;
        });
    }

    /** Up to {@code limit} events with sequence > {@code afterSequence}, in order. */
    public List<RunEvent> readAfter(String runId, long afterSequence, int limit) {
        return db.read(c -> Rows.after(c.prepareStatement("SELECT sequence, event_time, level, message, data_json "
                + "FROM events WHERE run_id = ? AND sequence > ? ORDER BY sequence"), runId, afterSequence, limit,
                rs -> toEvent(runId, rs)));
    }

    private static void insertEvent(Connection c, RunEvent event) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO events "
                + "(run_id, sequence, event_time, level, event_type, message, data_json) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, event.getRunId());
            s.setLong(2, event.getSequence());
            s.setLong(3, Timestamps.toMillis(event.getTime()));
            s.setString(4, levelName(event.getLevel()));
            s.setString(5, event.getPayloadCase().name().toLowerCase(Locale.ROOT));
            s.setString(6, event.getMessage());
            s.setString(7, event.getPayloadCase() == RunEvent.PayloadCase.PAYLOAD_NOT_SET ? null : payloadJson(event));
            s.executeUpdate();
        }
    }

    /** The payload alone, wrapped in an event so its oneof case survives the round trip. */
    private static String payloadJson(RunEvent event) {
        RunEvent.Builder payload = RunEvent.newBuilder();
        switch (event.getPayloadCase()) {
            case STATUS_CHANGE -> payload.setStatusChange(event.getStatusChange());
            case METRICS -> payload.setMetrics(event.getMetrics());
            case CHECKPOINT -> payload.setCheckpoint(event.getCheckpoint());
            case HYPERPARAMETERS -> payload.setHyperparameters(event.getHyperparameters());
            case EVAL_SAMPLES -> payload.setEvalSamples(event.getEvalSamples());
            case PAYLOAD_NOT_SET -> {
            }
        }
        return ProtoJson.write(payload.build());
    }

    private static void upsertMetrics(Connection c, RunEvent event) throws SQLException {
        MetricsReport report = event.getMetrics();
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM metrics WHERE run_id = ? AND step = ? AND name = ?");
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO metrics (run_id, step, name, metric_value, sequence) VALUES (?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Double> metric : report.getValuesMap().entrySet()) {
                delete.setString(1, event.getRunId());
                delete.setLong(2, report.getStep());
                delete.setString(3, metric.getKey());
                delete.executeUpdate();
                insert.setString(1, event.getRunId());
                insert.setLong(2, report.getStep());
                insert.setString(3, metric.getKey());
                insert.setDouble(4, metric.getValue());
                insert.setLong(5, event.getSequence());
                insert.executeUpdate();
            }
        }
    }

    private static void replaceCheckpoint(Connection c, RunEvent event) throws SQLException {
        Checkpoint checkpoint = event.getCheckpoint();
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM checkpoints WHERE run_id = ? AND step = ?")) {
            delete.setString(1, event.getRunId());
            delete.setLong(2, checkpoint.getStep());
            delete.executeUpdate();
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO checkpoints "
                + "(run_id, step, path, created_at, metrics_json, sequence) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, event.getRunId());
            insert.setLong(2, checkpoint.getStep());
            insert.setString(3, checkpoint.getPath());
            insert.setLong(4, Timestamps.toMillis(checkpoint.getCreatedAt()));
            insert.setString(5, ProtoJson.write(checkpoint.toBuilder().clearId().clearRunId().clearStep().clearPath()
                    .clearCreatedAt().build()));
            insert.setLong(6, event.getSequence());
            insert.executeUpdate();
        }
    }

    private static RunEvent toEvent(String runId, ResultSet rs) throws SQLException {
        RunEvent.Builder event = RunEvent.newBuilder();
        String data = rs.getString("data_json");
        if (data != null) {
            ProtoJson.read(data, event, "events.data_json");
        }
        return event.setRunId(runId)
                .setSequence(rs.getLong("sequence"))
                .setTime(Timestamps.ofMillis(rs.getLong("event_time")))
                .setLevel(EventLevel.valueOf("EVENT_LEVEL_" + rs.getString("level").toUpperCase(Locale.ROOT)))
                .setMessage(rs.getString("message"))
                .build();
    }

    private static String levelName(EventLevel level) {
        return (level == EventLevel.EVENT_LEVEL_UNSPECIFIED ? EventLevel.EVENT_LEVEL_INFO : level).name()
                .substring("EVENT_LEVEL_".length()).toLowerCase(Locale.ROOT);
    }
}
