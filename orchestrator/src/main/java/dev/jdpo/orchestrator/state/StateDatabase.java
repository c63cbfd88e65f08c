package dev.jdpo.orchestrator.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.BooleanSupplier;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The run-state database: a small connection pool, migrated by Flyway on open. */
public final class StateDatabase implements AutoCloseable {

    /** One unit of JDBC work on a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Attempts at a unit of work whose connection to another process's H2 server broke (a pool's worth, and one). */
    private static final int ATTEMPTS = 9;

    private final HikariDataSource pool;
    private final SharedH2File shared;
    private final String url;

    private StateDatabase(HikariDataSource pool, SharedH2File shared, String url) {
        this.pool = pool;
        this.shared = shared;
        this.url = url;
    }

    /** Opens the pool and brings the schema to the newest migration under db/migration. */
    public static StateDatabase open(DatabaseSettings settings) {
        settings.h2DataFile().ifPresent(StateDatabase::requireUsableFile);
        SharedH2File shared = settings.h2DataFile().map(file -> new SharedH2File(settings.url(), file)).orElse(null);
        HikariConfig config = new HikariConfig();
        if (shared != null) {
            config.setDataSource(shared);
        } else {
            config.setJdbcUrl(settings.url());
            config.setUsername(settings.user());
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(8);
        config.setPoolName("jdpo-state");
        config.setAutoCommit(true);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException cannotConnect) {
            closeQuietly(shared);
            throw new StateUnavailableException("cannot open the run-state database " + redact(settings.url()) + ": "
                    + rootMessage(cannotConnect), cannotConnect);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException migrationFailed) {
            closeQuietly(shared);
            pool.close();
            throw new StateUnavailableException("cannot migrate the run-state database " + redact(settings.url()) + ": "
                    + rootMessage(migrationFailed), migrationFailed);
        }
        return new StateDatabase(pool, shared, settings.url());
    }

    private static void closeQuietly(SharedH2File shared) {
        if (shared != null) {
            shared.close();
        }
    }

    /**
     * An existing state file that is empty or unreadable holds (or held) every run's history: H2 would silently start
     * an empty database over an empty file, so it is refused, naming the file, and left as it is.
     */
    private static void requireUsableFile(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            if (!Files.isRegularFile(file) || !Files.isReadable(file) || !Files.isWritable(file)) {
                throw new StateUnavailableException("the run-state database " + file + " is not a readable and "
                        + "writable file; fix its permissions, or move it away to start an empty state", null);
            }
            if (Files.size(file) == 0) {
                throw new StateUnavailableException("the run-state database " + file + " is empty (0 bytes), so "
                        + "its run history is gone; restore it from a backup, or move it away to start an empty "
                        + "state", null);
            }
        } catch (IOException unreadable) {
            throw new StateUnavailableException("cannot read the run-state database " + file + ": "
                    + unreadable.getMessage(), unreadable);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        boolean[] committing = new boolean[1];
        return withRetries(() -> {
            committing[0] = false;
            try (Connection connection = pool.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    T result = work.run(connection);
                    committing[0] = true;
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException failed) {
                    connection.rollback();
                    throw failed;
                } finally {
                    connection.setAutoCommit(true);
                }
            }
        }, () -> !committing[0]);
    }

    /** Runs read-only {@code work} on an auto-commit connection. */
    public <T> T read(SqlWork<T> work) {
        return withRetries(() -> {
            try (Connection connection = pool.getConnection()) {
                return work.run(connection);
            }
        }, () -> true);
    }

    /** A unit of work on a connection of its own. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code attempt} again on new connections while its connection to another process's H2 server broke (that
     * process exited; a new connection reaches the next holder of the file), as long as {@code safeToRepeat}: a
     * transaction whose commit was under way may have been applied, so it is not repeated.
     */
    private <T> T withRetries(Attempt<T> attempt, BooleanSupplier safeToRepeat) {
        for (int tries = 1; ; tries++) {
            try {
                return attempt.run();
            } catch (SQLException failed) {
                if (shared == null || tries == ATTEMPTS || !SharedH2File.isBrokenConnection(failed)
                        || !safeToRepeat.getAsBoolean()) {
                    throw new StateUnavailableException("run-state database " + redact(url) + " failed: "
                            + failed.getMessage(), failed);
                }
                pool.getHikariPoolMXBean().softEvictConnections();
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(shared);
        pool.close();
    }

    /** Drops a password that may be embedded in a JDBC URL. */
    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
