package dev.jdpo.orchestrator.testing;

import dev.jdpo.orchestrator.state.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests, from the Debian binaries: its own cluster in a temp dir, listening
 * on a free loopback port with password authentication, stopped and deleted by {@link #close()}.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Path DEBIAN_INSTALLS = Path.of("/usr/lib/postgresql");
    private static final String USER = "jdpo";
    private static final String PASSWORD = "jdpo-test-password";
    private static final String OS_USER = "postgres";
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private final Path dir;
    private final Path bin;
    private final boolean asPostgresUser;
    private final int port;
    // a JVM that exits without close (a surefire timeout, Ctrl-C) still stops its server; kill -9 cannot be caught
    private final Thread stopAtExit = new Thread(this::stop, "jdpo-postgres-stop");

    private PostgresServer(Path dir, Path bin, boolean asPostgresUser, int port) {
        this.dir = dir;
        this.bin = bin;
        this.asPostgresUser = asPostgresUser;
        this.port = port;
    }

    /** Initializes and starts a cluster from the newest PostgreSQL under /usr/lib/postgresql. */
    public static PostgresServer start() throws IOException {
        Path bin = requireBinaries(DEBIAN_INSTALLS, System.getenv("CI"));
        // Under /tmp, not a JUnit @TempDir: the postgres OS user must be able to reach it.
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "jdpo-pg-");
        PostgresServer server = null;
        try {
            // PostgreSQL refuses to run as root, so root hands the cluster to the postgres OS user.
            boolean root = ((Integer) Files.getAttribute(dir, "unix:uid")) == 0;
            Path passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
            if (root) {
                giveToPostgresUser(dir);
                giveToPostgresUser(passwordFile);
            }
            server = new PostgresServer(dir, bin, root, TestWorkspace.freePort());
            server.initdb(passwordFile);
            Runtime.getRuntime().addShutdownHook(server.stopAtExit);
            server.startServer();
            return server;
        } catch (IOException | RuntimeException failed) {
            if (server != null) {
                server.close();
            } else {
                deleteRecursively(dir);
            }
            throw failed;
        }
    }

    /** Creates an empty database and returns the settings an orchestrator uses to reach it. */
    public DatabaseSettings createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException failed) {
            throw new IllegalStateException("cannot create database " + name + " on " + url("postgres") + ": "
                    + failed.getMessage(), failed);
        }
        return new DatabaseSettings(url(name), USER, PASSWORD);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Stops the server (immediate: its data is thrown away) and deletes the cluster. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException exiting) {
            // the JVM is already running its hooks; this one has nothing left to do
        }
    }

    /** Deletes the cluster only once its server is down: a server whose data vanished could not be stopped. */
    private synchronized void stop() {
        if (Files.exists(data().resolve("postmaster.pid"))) {
            run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", data().toString(), "-m", "immediate", "-w"));
        }
        deleteRecursively(dir);
    }

    private void initdb(Path passwordFile) {
        run(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", USER,
                "--pwfile=" + passwordFile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"));
    }

    private void startServer() {
        // Sockets in our dir rather than /var/run/postgresql, which may not exist; fsync off: data is throwaway.
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off";
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "start", "-D", data().toString(), "-l", log().toString(),
                    "-w", "-t", "30", "-o", options));
        } catch (IllegalStateException failed) {
            throw new IllegalStateException(failed.getMessage() + "\nserver log " + log() + ":\n" + readLog(), failed);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("server.log");
    }

    private String readLog() {
        try {
            return Files.readString(log());
        } catch (IOException unreadable) {
            return "(unreadable: " + unreadable.getMessage() + ")";
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        try {
            Path output = Files.createTempFile("jdpo-pg-command", ".log");
            try {
                // Output to a file, not a pipe: pg_ctl's server inherits the descriptors and outlives the command.
                Process process = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", full) + " did not finish in "
                            + COMMAND_TIMEOUT_SECONDS + " s:\n" + Files.readString(output));
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", full) + " exited with " + process.exitValue()
                            + ":\n" + Files.readString(output));
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot run " + String.join(" ", full), failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", full), interrupted);
        }
    }

    /**
     * The bin directory of the newest version under {@code installs} that has the server binaries. Without
     * one, the calling test fails when {@code ci} (the CI environment variable) is set and not "false", since CI must install
     * PostgreSQL, and is skipped otherwise (a developer machine without it).
     */
    public static Path requireBinaries(Path installs, String ci) throws IOException {
        Optional<Path> newest = Optional.empty();
        if (Files.isDirectory(installs)) {
            try (Stream<Path> versions = Files.list(installs)) {
                newest = versions.map(version -> version.resolve("bin"))
                        .filter(bin -> Stream.of("initdb", "pg_ctl", "postgres")
                                .allMatch(binary -> Files.isExecutable(bin.resolve(binary))))
                        .max(Comparator.comparingDouble(PostgresServer::version));
            }
        }
        Prerequisites.require(newest.isPresent(), "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found "
                + "under " + installs + "/<version>/bin; install the Debian package postgresql", ci);
        return newest.orElseThrow();
    }

    private static double version(Path bin) {
        try {
            return Double.parseDouble(bin.getParent().getFileName().toString());
        } catch (NumberFormatException notAVersion) {
            return -1;
        }
    }

    private static void giveToPostgresUser(Path path) throws IOException {
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(OS_USER));
        view.setGroup(users.lookupPrincipalByGroupName(OS_USER));
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot delete the PostgreSQL test cluster " + root, failed);
        }
    }
}
