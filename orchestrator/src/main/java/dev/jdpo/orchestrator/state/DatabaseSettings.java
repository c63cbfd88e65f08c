package dev.jdpo.orchestrator.state;

import java.nio.file.Path;
import java.util.Optional;

/** Where run state lives: a JDBC URL (H2 or PostgreSQL) and its credentials. */
public record DatabaseSettings(String url, String user, String password) {

    private static final String H2_FILE_PREFIX = "jdbc:h2:file:";

    /**
     * An H2 file database in {@code stateDir}. WRITE_DELAY=0 makes every commit durable before it returns,
     * so a kill -9 loses no event; DB_CLOSE_ON_EXIT=FALSE lets the orchestrator write its last events
     * during shutdown before it closes the pool itself.
     */
    public static DatabaseSettings h2File(Path stateDir) {
        Path file = stateDir.toAbsolutePath().normalize().resolve("jdpo");
        return new DatabaseSettings(H2_FILE_PREFIX + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", "sa", "");
    }

    /** The H2 data file behind an {@code jdbc:h2:file:} URL, for checks before H2 opens it; empty for others. */
    public Optional<Path> h2DataFile() {
        if (!url.startsWith(H2_FILE_PREFIX)) {
            return Optional.empty();
        }
        int options = url.indexOf(';');
        String base = url.substring(H2_FILE_PREFIX.length(), options < 0 ? url.length() : options);
        return Optional.of(Path.of(base + ".mv.db"));
    }
}
