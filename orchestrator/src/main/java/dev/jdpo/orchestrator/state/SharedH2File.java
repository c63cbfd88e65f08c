package dev.jdpo.orchestrator.state;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.api.ErrorCode;
import org.h2.tools.Server;

/**
 * An H2 file database that several jdpo processes share (a sweep of {@code jdpo train}, or one beside
 * {@code jdpo serve orchestrator}). The first process to open the file holds it embedded and serves it to the others
 * on a loopback H2 TCP server, advertised in {@code <name>.server} (owner-only; it holds the server's random key, the
 * only database name the server accepts). The others connect there; when the holder exits, their next connection
 * opens the file themselves. Why not H2's AUTO_SERVER: it refuses DB_CLOSE_ON_EXIT=FALSE, which lets a process
 * write its last events during its shutdown, and its server listens on every interface.
 */
final class SharedH2File implements DataSource, AutoCloseable {

    private static final String USER = "sa";
    private static final Duration OPEN_WAIT = Duration.ofSeconds(30);

    private final String embeddedUrl;
    private final String databaseBase;
    private final Path serverFile;
    private Server server;
    private String advertised;

    /** @param embeddedUrl a {@code jdbc:h2:file:} URL with options; {@code dataFile} its {@code .mv.db} file */
    SharedH2File(String embeddedUrl, Path dataFile) {
        this.embeddedUrl = embeddedUrl;
        String name = dataFile.getFileName().toString();
        String base = name.substring(0, name.length() - ".mv.db".length());
        this.databaseBase = dataFile.resolveSibling(base).toString();
        this.serverFile = dataFile.resolveSibling(base + ".server");
    }

    /** Whether {@code failure} says the connection to another process's server broke (that process went away). */
    static boolean isBrokenConnection(SQLException failure) {
        String state = failure.getSQLState();
        return failure.getErrorCode() == ErrorCode.CONNECTION_BROKEN_1
                || failure.getErrorCode() == ErrorCode.DATABASE_IS_CLOSED
                || (state != null && state.startsWith("08"));
    }

    @Override
    public Connection getConnection() throws SQLException {
        long deadline = System.nanoTime() + OPEN_WAIT.toNanos();
        while (true) {
            // the advertised server first: a failed embedded open would trace its error into the database's trace file
            String address = holding() ? null : readServerFile();
            SQLException remoteFailed = null;
            if (address != null) {
                try {
                    return DriverManager.getConnection("jdbc:h2:tcp://" + address, USER, "");
                } catch (SQLException holderGone) {
                    remoteFailed = holderGone;
                }
            }
            Connection embedded;
            try {
                embedded = DriverManager.getConnection(embeddedUrl, USER, "");
            } catch (SQLException held) {
                if (held.getErrorCode() != ErrorCode.DATABASE_ALREADY_OPEN_1) {
                    throw held;
                }
                if (System.nanoTime() > deadline) {
                    throw new SQLException("the state database is held by another process"
                            + (address == null ? " that serves no address in " + serverFile
                            : " whose server in " + serverFile + " does not answer: " + remoteFailed.getMessage()),
                            held);
                }
                // the holder is starting its server, or exiting and another process takes over
                sleep();
                continue;
            }
            try {
                serveOthers();
                return embedded;
            } catch (SQLException cannotServe) {
                embedded.close();
                throw cannotServe;
            }
        }
    }

    private synchronized boolean holding() {
        return server != null;
    }

    /** Starts the loopback server for the other processes once this process holds the file. */
    private synchronized void serveOthers() throws SQLException {
        if (server != null) {
            return;
        }
        String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        // without -tcpAllowOthers H2 refuses connections from other hosts; -key makes the file reachable only as key
        Server started = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-ifExists", "-key", key, databaseBase)
                .start();
        String address = "127.0.0.1:" + started.getPort() + "/" + key;
        try {
            writeServerFile(address);
        } catch (IOException cannotAdvertise) {
            started.stop();
            throw new SQLException("cannot write " + serverFile + ": " + cannotAdvertise.getMessage(), cannotAdvertise);
        }
        server = started;
        advertised = address;
    }

    private void writeServerFile(String address) throws IOException {
        Path temp = Files.createTempFile(serverFile.getParent(), serverFile.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, address, StandardCharsets.UTF_8);
        try {
            Files.move(temp, serverFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException notAtomic) {
            Files.move(temp, serverFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private String readServerFile() throws SQLException {
        try {
            List<String> lines = Files.readAllLines(serverFile, StandardCharsets.UTF_8);
            return lines.isEmpty() || lines.get(0).isBlank() ? null : lines.get(0).trim();
        } catch (NoSuchFileException notYet) {
            return null;
        } catch (IOException unreadable) {
            throw new SQLException("cannot read " + serverFile + ": " + unreadable.getMessage(), unreadable);
        }
    }

    /** Stops serving others (their connections break and they open the file next) and withdraws the address. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop();
        server = null;
        try {
            if (advertised.equals(readServerFile())) {
                Files.deleteIfExists(serverFile);
            }
        } catch (IOException | SQLException ignored) {
            // a stale address only costs the next process one refused connection
        }
    }

    private static void sleep() throws SQLException {
        try {
            Thread.sleep(100);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the state database", interrupted);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // H2 logs through its own trace settings
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the wait for another process is OPEN_WAIT
    }

    @Override
    public int getLoginTimeout() {
        return (int) OPEN_WAIT.toSeconds();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
