package dev.jdpo.orchestrator.state;

import dev.jdpo.proto.v1.ContinualEvent;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The continual-job tables: each job as a whole (proto JSON) and its event log, changed together. */
public final class ContinualRepository {

    /**
     * One change of a job, decided on the job as stored (its row locked): the new job and the event that says
     * what changed, or null for no change.
     */
    @FunctionalInterface
    public interface Change {
        Changed apply(ContinualJob current);
    }

    /** A job after a change, and the event recording it (its job id, sequence and time are filled in). */
    public record Changed(ContinualJob job, ContinualEvent.Builder event) {
    }

    private final StateDatabase db;

    public ContinualRepository(StateDatabase db) {
        this.db = db;
    }

    /** Stores a new job with its first event. */
    public ContinualJob insert(ContinualJob job, ContinualEvent.Builder first) {
        return db.inTransaction(c -> {
            ContinualEvent event = first.setJobId(job.getId()).setSequence(1).setTime(job.getCreatedAt()).build();
            ContinualJob stored = job.toBuilder().setLastSequence(1).build();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO continual_jobs "
                    + "(id, name, status, job_json, created_at, last_sequence) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, stored.getId());
                s.setString(2, stored.getName());
                s.setString(3, statusName(stored.getStatus()));
                s.setString(4, ProtoJson.write(stored));
                s.setLong(5, Timestamps.toMillis(stored.getCreatedAt()));
                s.setLong(6, 1);
                s.executeUpdate();
            }
            insertEvent(c, event);
            return stored;
        });
    }

    /**
     * Applies a change under the job's row lock and stores its event in the same transaction.
     *
     * @return the changed job, or empty when the change decided there was nothing to do
     * @throws IllegalArgumentException when the job does not exist
     */
    public Optional<Changed> change(String id, long nowMillis, Change change) {
        return db.inTransaction(c -> {
            ContinualJob current;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT job_json FROM continual_jobs WHERE id = ? FOR UPDATE")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("no continual job " + id);
                    }
                    current = job(rs.getString(1));
                }
            }
            Changed changed = change.apply(current);
            if (changed == null) {
                return Optional.empty();
            }
            long sequence = current.getLastSequence() + 1;
            ContinualJob job = changed.job().toBuilder().setLastSequence(sequence).build();
            ContinualEvent event = changed.event().setJobId(id).setSequence(sequence)
                    .setTime(Timestamps.ofMillis(nowMillis)).build();
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE continual_jobs SET status = ?, job_json = ?, last_sequence = ? WHERE id = ?")) {
                s.setString(1, statusName(job.getStatus()));
                s.setString(2, ProtoJson.write(job));
                s.setLong(3, sequence);
                s.setString(4, id);
                s.executeUpdate();
            }
            insertEvent(c, event);
            return Optional.of(new Changed(job, event.toBuilder()));
        });
    }

    public Optional<ContinualJob> find(String id) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT job_json FROM continual_jobs WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(job(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    /** Jobs with an ordinal below {@code beforeOrdinal}, newest first. */
    public Page<ContinualJob> page(long beforeOrdinal, int limit) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT ordinal, job_json FROM continual_jobs "
                    + "WHERE ordinal < ? ORDER BY ordinal DESC")) {
                s.setLong(1, beforeOrdinal);
                return Rows.page(s, limit, rs -> job(rs.getString("job_json")));
            }
        });
    }

    /** The jobs waiting for their trigger or in a round: those a starting orchestrator continues. */
    public List<ContinualJob> unfinished() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT job_json FROM continual_jobs "
                    + "WHERE status IN (?, ?) ORDER BY ordinal")) {
                s.setString(1, statusName(ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING));
                s.setString(2, statusName(ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND));
                return Rows.all(s, rs -> job(rs.getString(1)));
            }
        });
    }

    /** Up to {@code limit} events with sequence > {@code afterSequence}, in order. */
    public List<ContinualEvent> eventsAfter(String id, long afterSequence, int limit) {
        return db.read(c -> Rows.after(c.prepareStatement("SELECT event_json FROM continual_events "
                + "WHERE job_id = ? AND sequence > ? ORDER BY sequence"), id, afterSequence, limit,
                rs -> ProtoJson.read(rs.getString(1), ContinualEvent.newBuilder(), "continual_events.event_json")
                        .build()));
    }

    private static void insertEvent(Connection c, ContinualEvent event) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO continual_events (job_id, sequence, event_json) VALUES (?, ?, ?)")) {
            s.setString(1, event.getJobId());
            s.setLong(2, event.getSequence());
            s.setString(3, ProtoJson.write(event));
            s.executeUpdate();
        }
    }

    private static ContinualJob job(String json) {
        return ProtoJson.read(json, ContinualJob.newBuilder(), "continual_jobs.job_json").build();
    }

    /** "waiting", "in_round", ...: the status column, for queries by status. */
    private static String statusName(ContinualJobStatus status) {
        return status.name().substring("CONTINUAL_JOB_STATUS_".length()).toLowerCase(Locale.ROOT);
    }
}
