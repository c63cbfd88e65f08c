package dev.jdpo.orchestrator.state;

import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunError;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.StatusChange;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The runs table: one row per run, kept in step with the run's event log. */
@Singleton
public final class RunRepository {

    /** What an append must know about a run, read under a row lock. */
    public record RunHead(RunStatus status, long lastSequence) {
    }

    private static final String COLUMNS = "ordinal, id, name, status, config_json, hyperparameters_json, created_at, "
            + "started_at, finished_at, step, total_steps, error_json, result_model_dir, last_sequence, cancel_requested";

    private final StateDatabase db;

    public RunRepository(StateDatabase db) {
        this.db = db;
    }

    /** Stores a new run with no events yet. */
    public void insert(String id, String name, RunStatus status, RunConfig config, long createdAtMillis) {
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO runs (id, name, status, config_json, created_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, name);
                s.setString(3, RunStatuses.shortName(status));
                s.setString(4, ProtoJson.write(config));
                s.setLong(5, createdAtMillis);
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<Run> find(String id) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(toRun(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Runs with an ordinal below {@code beforeOrdinal}, newest first; {@code status} null means any. */
    public Page<Run> page(long beforeOrdinal, int limit, RunStatus status) {
        return db.read(c -> {
            String sql = "SELECT " + COLUMNS + " FROM runs WHERE ordinal < ?"
                    + (status == null ? "" : " AND status = ?") + " ORDER BY ordinal DESC";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setLong(1, beforeOrdinal);
                if (status != null) {
                    s.setString(2, RunStatuses.shortName(status));
                }
                return Rows.page(s, limit, RunRepository::toRun);
            }
        });
    }

    /** Runs in any of {@code statuses}, oldest first. */
    public List<Run> withStatus(Collection<RunStatus> statuses) {
        List<Run> found = new ArrayList<>();
        for (RunStatus status : statuses) {
            found.addAll(page(Long.MAX_VALUE, Integer.MAX_VALUE - 1, status).items());
        }
        found.sort((a, b) -> Long.compare(Timestamps.toMillis(a.getCreatedAt()), Timestamps.toMillis(b.getCreatedAt())));
        return found;
    }

    /** How many runs are in each status; statuses no run is in are absent. */
    public Map<RunStatus, Long> countByStatus() {
        return db.read(c -> {
            Map<RunStatus, Long> counts = new EnumMap<>(RunStatus.class);
            try (PreparedStatement s = c.prepareStatement("SELECT status, COUNT(*) FROM runs GROUP BY status");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(RunStatuses.fromShortName(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    public void markCancelRequested(String id) {
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE runs SET cancel_requested = TRUE WHERE id = ?")) {
                s.setString(1, id);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Locks the run's row until the transaction ends, so appends to one run are serialized. */
    RunHead lockHead(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT status, last_sequence FROM runs WHERE id = ? FOR UPDATE")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new RunHead(RunStatuses.fromShortName(rs.getString(1)), rs.getLong(2)) : null;
            }
        }
    }

    /** Folds one event into the run's row. */
    void apply(Connection c, RunEvent event) throws SQLException {
        long time = Timestamps.toMillis(event.getTime());
        update(c, "UPDATE runs SET last_sequence = ? WHERE id = ?", event.getSequence(), event.getRunId());
        switch (event.getPayloadCase()) {
            case STATUS_CHANGE -> applyStatus(c, event.getRunId(), event.getStatusChange(), time);
            case METRICS -> {
                update(c, "UPDATE runs SET step = ? WHERE id = ?", event.getMetrics().getStep(), event.getRunId());
                if (event.getMetrics().getTotalSteps() > 0) {
                    update(c, "UPDATE runs SET total_steps = ? WHERE id = ?", event.getMetrics().getTotalSteps(),
                            event.getRunId());
                }
            }
            case HYPERPARAMETERS -> {
                ResolvedHyperparameters h = event.getHyperparameters();
                update(c, "UPDATE runs SET hyperparameters_json = ?, total_steps = ? WHERE id = ?",
                        ProtoJson.write(h), h.getTotalSteps(), event.getRunId());
            }
            case CHECKPOINT, PAYLOAD_NOT_SET -> {
            }
        }
    }

    private static void applyStatus(Connection c, String id, StatusChange change, long time) throws SQLException {
        update(c, "UPDATE runs SET status = ? WHERE id = ?", RunStatuses.shortName(change.getStatus()), id);
        if (change.getStatus() == RunStatus.RUN_STATUS_RUNNING) {
            update(c, "UPDATE runs SET started_at = ? WHERE id = ? AND started_at IS NULL", time, id);
        }
        if (RunStatuses.isTerminal(change.getStatus())) {
            update(c, "UPDATE runs SET finished_at = ? WHERE id = ?", time, id);
        }
        if (change.hasError()) {
            update(c, "UPDATE runs SET error_json = ? WHERE id = ?", ProtoJson.write(change.getError()), id);
        }
        if (!change.getResultModelDir().isEmpty()) {
            update(c, "UPDATE runs SET result_model_dir = ? WHERE id = ?", change.getResultModelDir(), id);
        }
    }

    private static void update(Connection c, String sql, Object value, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, value);
            s.setString(2, id);
            s.executeUpdate();
        }
    }

    private static void update(Connection c, String sql, Object first, Object second, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, first);
            s.setObject(2, second);
            s.setString(3, id);
            s.executeUpdate();
        }
    }

    private static Run toRun(ResultSet rs) throws SQLException {
        Run.Builder run = Run.newBuilder()
                .setId(rs.getString("id"))
                .setName(rs.getString("name"))
                .setStatus(RunStatuses.fromShortName(rs.getString("status")))
                .setConfig(ProtoJson.read(rs.getString("config_json"), RunConfig.newBuilder(), "runs.config_json"))
                .setCreatedAt(Timestamps.ofMillis(rs.getLong("created_at")))
                .setStep(rs.getLong("step"))
                .setTotalSteps(rs.getLong("total_steps"))
                .setLastSequence(rs.getLong("last_sequence"))
                .setCancelRequested(rs.getBoolean("cancel_requested"));
        String hyperparameters = rs.getString("hyperparameters_json");
        if (hyperparameters != null) {
            run.setHyperparameters(ProtoJson.read(hyperparameters, ResolvedHyperparameters.newBuilder(),
                    "runs.hyperparameters_json"));
        }
        long started = rs.getLong("started_at");
        if (!rs.wasNull()) {
            run.setStartedAt(Timestamps.ofMillis(started));
        }
        long finished = rs.getLong("finished_at");
        if (!rs.wasNull()) {
            run.setFinishedAt(Timestamps.ofMillis(finished));
        }
        String error = rs.getString("error_json");
        if (error != null) {
            run.setError(ProtoJson.read(error, RunError.newBuilder(), "runs.error_json"));
        }
        String result = rs.getString("result_model_dir");
        if (result != null) {
            run.setResultModelDir(result);
        }
        return run.build();
    }
}
