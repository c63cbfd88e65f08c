package dev.jdpo.orchestrator.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a query as a list, the next rows of an event table after a sequence number, or a page of a table
 * listed newest first by its {@code ordinal} column.
 */
final class Rows {

    /** Reads the result set's current row. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private Rows() {
    }

    static <T> List<T> all(PreparedStatement query, RowReader<T> reader) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                rows.add(reader.read(rs));
            }
        }
        return rows;
    }

    /**
     * Up to {@code limit} rows of {@code query}, whose parameters are an id and the sequence number to read after;
     * closes the query.
     */
    static <T> List<T> after(PreparedStatement query, String id, long afterSequence, int limit, RowReader<T> reader)
            throws SQLException {
        try (query) {
            query.setMaxRows(limit);
            query.setString(1, id);
            query.setLong(2, afterSequence);
            return all(query, reader);
        }
    }

    /** The first {@code limit} rows of {@code query}, which selects {@code ordinal} and orders by it descending. */
    static <T> Page<T> page(PreparedStatement query, int limit, RowReader<T> reader) throws SQLException {
        // one row more than the page says whether another page follows
        query.setMaxRows(limit + 1);
        List<T> items = new ArrayList<>();
        long lastOrdinal = 0;
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                if (items.size() == limit) {
                    return new Page<>(items, lastOrdinal);
                }
                lastOrdinal = rs.getLong("ordinal");
                items.add(reader.read(rs));
            }
        }
        return new Page<>(items, 0);
    }
}
