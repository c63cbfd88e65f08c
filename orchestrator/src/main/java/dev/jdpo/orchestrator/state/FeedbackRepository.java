package dev.jdpo.orchestrator.state;

import com.google.protobuf.Message;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The feedback tables: logged requests and completions, feedback records, criteria scores and derived pairs. */
@Singleton
public final class FeedbackRepository {

    /** A logged completion with what pair rules need of its request. */
    public record StoredCompletion(String id, String requestId, int position, String content, String promptHash,
                                   String task) {
    }

    /** A pair implied by one feedback record, before it is stored. */
    public record NewPair(String pairKey, String preferredHash, String rejectedHash, String feedbackIds,
                          String requestId, String task, String criterion, Double scoreGap, long createdAt,
                          String preferred, String rejected) {
    }

    /** A completion's latest score on one criterion. */
    public record LatestScore(StoredCompletion completion, String feedbackId, double score, long createdAt) {
    }

    /** A stored pair as the export reads it, with its prompt's messages as stored (proto JSON). */
    public record PairRow(long ordinal, String pairKey, String preferredHash, String rejectedHash, String feedbackIds,
                          String source, String task, String preferred, String rejected, String requestId,
                          String messagesJson) {

        PairRow withMessages(String json) {
            return new PairRow(ordinal, pairKey, preferredHash, rejectedHash, feedbackIds, source, task, preferred,
                    rejected, requestId, json);
        }
    }

    /** Which stored pairs an export reads; {@code task} empty for every task, {@code sources} never empty. */
    public record PairFilter(String task, long recordedAfterMs, long recordedBeforeMs, Collection<String> sources,
                             double minScoreGap) {
    }

    private static final String COMPLETION_COLUMNS =
            "c.id, c.request_id, c.position, c.content, r.prompt_hash, r.task";

    private final StateDatabase db;

    public FeedbackRepository(StateDatabase db) {
        this.db = db;
    }

    /** Stores a request and its completions (in order) in one transaction. */
    public void insertRequest(String id, String task, String model, Message messages, String promptHash,
                              Message metadata, long createdAt, List<String> completionIds, List<String> completions) {
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO feedback_requests (id, task, model, "
                    + "messages_json, prompt_hash, metadata_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, task);
                s.setString(3, model);
                s.setString(4, ProtoJson.write(messages));
                s.setString(5, promptHash);
                s.setString(6, ProtoJson.write(metadata));
                s.setLong(7, createdAt);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO feedback_completions (id, request_id, position, content) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < completions.size(); i++) {
                    s.setString(1, completionIds.get(i));
                    s.setString(2, id);
                    s.setInt(3, i);
                    s.setString(4, completions.get(i));
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    public Optional<StoredCompletion> findCompletion(String id) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COMPLETION_COLUMNS + " FROM feedback_completions c "
                    + "JOIN feedback_requests r ON r.id = c.request_id WHERE c.id = ?")) {
                s.setString(1, id);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(completion(rows)) : Optional.empty();
                }
            }
        });
    }

    /** The completions of a request, in logged order. */
    public List<StoredCompletion> completionsOf(String requestId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COMPLETION_COLUMNS + " FROM feedback_completions c "
                    + "JOIN feedback_requests r ON r.id = c.request_id WHERE c.request_id = ? ORDER BY c.position")) {
                s.setString(1, requestId);
                List<StoredCompletion> completions = new ArrayList<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        completions.add(completion(rows));
                    }
                }
                return completions;
            }
        });
    }

    /** Stores a feedback record and the pairs it implies in one transaction. */
    public void insertRecord(String id, String source, long createdAt, Message body, List<NewPair> pairs) {
        db.inTransaction(c -> {
            insertRecord(c, id, source, createdAt, body);
            insertPairs(c, source, pairs);
            return null;
        });
    }

    /**
     * Stores a criteria score and re-derives the request's pair for that criterion from the latest scores, in one
     * transaction under a lock on the request, so concurrent scores of one request derive in turn.
     */
    public void insertScore(String id, String source, long createdAt, Message body, StoredCompletion completion,
                            String criterion, double score,
                            Function<List<LatestScore>, Optional<NewPair>> criteriaRule) {
        db.inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM feedback_requests WHERE id = ? FOR UPDATE")) {
                s.setString(1, completion.requestId());
                s.executeQuery().close();
            }
            insertRecord(c, id, source, createdAt, body);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO feedback_scores (feedback_id, request_id, "
                    + "completion_id, criterion, score, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, completion.requestId());
                s.setString(3, completion.id());
                s.setString(4, criterion);
                s.setDouble(5, score);
                s.setLong(6, createdAt);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM feedback_pairs WHERE request_id = ? AND criterion = ? AND source = ?")) {
                s.setString(1, completion.requestId());
                s.setString(2, criterion);
                s.setString(3, source);
                s.executeUpdate();
            }
            criteriaRule.apply(latestScores(c, completion.requestId(), criterion))
                    .ifPresent(pair -> insertPairs(c, source, List.of(pair)));
            return null;
        });
    }

    /**
     * Up to {@code limit} stored pairs matching {@code filter}, in (pair_key, ordinal) order, after the given position
     * (an empty key for the first page): the export pages through the table with this, never holding all of it.
     * The pairs are read alone (a join with their requests made H2 scan and sort every row for each page), then
     * their prompts in one more query.
     */
    public List<PairRow> pairsAfter(PairFilter filter, String afterKey, long afterOrdinal, int limit) {
        boolean byTask = !filter.task().isEmpty();
        String sources = String.join(", ", filter.sources().stream().map(source -> "?").toList());
        return db.read(c -> {
            List<PairRow> rows = new ArrayList<>(limit);
            try (PreparedStatement s = c.prepareStatement("SELECT p.ordinal, p.pair_key, p.preferred_hash, "
                    + "p.rejected_hash, p.feedback_ids, p.source, p.task, p.preferred, p.rejected, p.request_id "
                    + "FROM feedback_pairs p WHERE " + (byTask ? "p.task = ? AND " : "")
                    + "p.pair_key >= ? AND NOT (p.pair_key = ? AND p.ordinal <= ?) "
                    + "AND p.created_at >= ? AND p.created_at < ? "
                    + "AND (p.score_gap IS NULL OR p.score_gap >= ?) AND p.source IN (" + sources + ") "
                    + "ORDER BY " + (byTask ? "p.task, " : "") + "p.pair_key, p.ordinal FETCH FIRST ? ROWS ONLY")) {
                int i = 0;
                if (byTask) {
                    s.setString(++i, filter.task());
                }
                s.setString(++i, afterKey);
                s.setString(++i, afterKey);
                s.setLong(++i, afterOrdinal);
                s.setLong(++i, filter.recordedAfterMs());
                s.setLong(++i, filter.recordedBeforeMs());
                s.setDouble(++i, filter.minScoreGap());
                for (String source : filter.sources()) {
                    s.setString(++i, source);
                }
                s.setInt(++i, limit);
                try (ResultSet result = s.executeQuery()) {
                    while (result.next()) {
                        rows.add(new PairRow(result.getLong(1), result.getString(2), result.getString(3),
                                result.getString(4), result.getString(5), result.getString(6), result.getString(7),
                                result.getString(8), result.getString(9), result.getString(10), null));
                    }
                }
            }
            Map<String, String> prompts = prompts(c, rows.stream().map(PairRow::requestId).distinct().toList());
            return rows.stream().map(row -> row.withMessages(prompts.get(row.requestId()))).toList();
        });
    }

    private static Map<String, String> prompts(Connection c, List<String> requestIds) throws SQLException {
        Map<String, String> prompts = new HashMap<>();
        if (requestIds.isEmpty()) {
            return prompts;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT id, messages_json FROM feedback_requests WHERE id IN ("
                + String.join(", ", requestIds.stream().map(id -> "?").toList()) + ")")) {
            for (int i = 0; i < requestIds.size(); i++) {
                s.setString(i + 1, requestIds.get(i));
            }
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    prompts.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        return prompts;
    }

    /** Reads stored prompt messages (proto JSON) into {@code builder}. */
    public static <B extends Message.Builder> B readMessages(String json, B builder) {
        return ProtoJson.read(json, builder, "feedback_requests.messages_json");
    }

    private static void insertRecord(Connection c, String id, String source, long createdAt, Message body)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO feedback_records (id, source, created_at, body_json) VALUES (?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, source);
            s.setLong(3, createdAt);
            s.setString(4, ProtoJson.write(body));
            s.executeUpdate();
        }
    }

    private static void insertPairs(Connection c, String source, List<NewPair> pairs) {
        if (pairs.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO feedback_pairs (pair_key, preferred_hash, "
                + "rejected_hash, feedback_ids, source, request_id, task, criterion, score_gap, created_at, preferred, "
                + "rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (NewPair pair : pairs) {
                s.setString(1, pair.pairKey());
                s.setString(2, pair.preferredHash());
                s.setString(3, pair.rejectedHash());
                s.setString(4, pair.feedbackIds());
                s.setString(5, source);
                s.setString(6, pair.requestId());
                s.setString(7, pair.task());
                s.setString(8, pair.criterion());
                if (pair.scoreGap() == null) {
                    s.setNull(9, Types.DOUBLE);
                } else {
                    s.setDouble(9, pair.scoreGap());
                }
                s.setLong(10, pair.createdAt());
                s.setString(11, pair.preferred());
                s.setString(12, pair.rejected());
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException failed) {
            throw new StateUnavailableException("cannot store feedback pairs: " + failed.getMessage(), failed);
        }
    }

    /** Each scored completion's latest score (the last recorded), in logged order of the completions. */
    private static List<LatestScore> latestScores(Connection c, String requestId, String criterion)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COMPLETION_COLUMNS + ", s.feedback_id, s.score, "
                + "s.created_at FROM feedback_scores s JOIN feedback_completions c ON c.id = s.completion_id "
                + "JOIN feedback_requests r ON r.id = s.request_id WHERE s.request_id = ? AND s.criterion = ? "
                + "AND s.ordinal = (SELECT MAX(l.ordinal) FROM feedback_scores l "
                + "WHERE l.completion_id = s.completion_id AND l.criterion = s.criterion) ORDER BY c.position")) {
            s.setString(1, requestId);
            s.setString(2, criterion);
            List<LatestScore> scores = new ArrayList<>();
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    scores.add(new LatestScore(completion(rows), rows.getString(7), rows.getDouble(8),
                            rows.getLong(9)));
                }
            }
            return scores;
        }
    }

    private static StoredCompletion completion(ResultSet rows) throws SQLException {
        return new StoredCompletion(rows.getString(1), rows.getString(2), rows.getInt(3), rows.getString(4),
                rows.getString(5), rows.getString(6));
    }
}
