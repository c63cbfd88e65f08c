package dev.jdpo.orchestrator.state;

import dev.jdpo.proto.v1.Checkpoint;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Optional;

/** Reads the checkpoints table: the resumable snapshots each run registered. */
@Singleton
public final class CheckpointRepository {

    private final StateDatabase db;

    public CheckpointRepository(StateDatabase db) {
        this.db = db;
    }

    /** Oldest (lowest step) first. */
    public List<Checkpoint> list(String runId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT step, path, created_at, metrics_json FROM checkpoints WHERE run_id = ? ORDER BY step")) {
                s.setString(1, runId);
                return Rows.all(s, rs -> {
                    long step = rs.getLong("step");
                    return ProtoJson.read(rs.getString("metrics_json"), Checkpoint.newBuilder(),
                                    "checkpoints.metrics_json")
                            .setId(checkpointId(runId, step))
                            .setRunId(runId)
                            .setStep(step)
                            .setPath(rs.getString("path"))
                            .setCreatedAt(Timestamps.ofMillis(rs.getLong("created_at")))
                            .build();
                });
            }
        });
    }

    public Optional<Checkpoint> latest(String runId) {
        List<Checkpoint> all = list(runId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** {@code "<run id>/step-<step>"}. */
    public static String checkpointId(String runId, long step) {
        return runId + "/step-" + step;
    }
}
