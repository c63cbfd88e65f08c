package dev.jdpo.orchestrator.state;

import java.nio.file.Path;

/** Where run state lives: a JDBC URL (H2 or PostgreSQL) and its credentials. */
public record DatabaseSettings(String url, String user, String password) {

    /**
     * An H2 file database in {@code stateDir}. WRITE_DELAY=0 makes every commit durable before it returns,
     * so a kill -9 loses no event; DB_CLOSE_ON_EXIT=FALSE lets the orchestrator write its last events
     * during shutdown before it closes the pool itself.
     */
    public static DatabaseSettings h2File(Path stateDir) {
        Path file = stateDir.toAbsolutePath().normalize().resolve("jdpo");
        return new DatabaseSettings("jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", "sa", "");
    }
}
