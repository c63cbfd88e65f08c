package dev.jdpo.orchestrator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The PostgreSQL test finds the newest server binaries, and without them fails on CI but skips elsewhere. */
class PostgresBinariesTest {

    @TempDir
    Path installs;

    @Test
    void picksTheNewestVersionWithAllServerBinaries() throws IOException {
        fakeVersion("9.6", "initdb", "pg_ctl", "postgres");
        fakeVersion("15", "initdb", "pg_ctl", "postgres");
        fakeVersion("16", "pg_ctl", "postgres");
        assertEquals(installs.resolve("15/bin"), PostgresServer.requireBinaries(installs, null));
    }

    @Test
    void missingBinariesSkipOutsideCi() throws IOException {
        fakeVersion("16", "psql");
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> PostgresServer.requireBinaries(installs, null));
        assertTrue(skipped.getMessage().contains("install the Debian package postgresql"), skipped.getMessage());
    }

    @Test
    void ciSetToFalseOrEmptyIsNotCi() {
        for (String notCi : new String[] {"false", "", "FALSE"}) {
            assertThrows(TestAbortedException.class,
                    () -> PostgresServer.requireBinaries(installs.resolve("absent"), notCi), "CI=" + notCi);
        }
    }

    @Test
    void missingBinariesFailOnCi() {
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> PostgresServer.requireBinaries(installs.resolve("absent"), "true"));
        assertTrue(failed.getMessage().contains("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under "
                + installs.resolve("absent")), failed.getMessage());
        assertTrue(failed.getMessage().contains("CI is set"), failed.getMessage());
    }

    private void fakeVersion(String version, String... binaries) throws IOException {
        Path bin = Files.createDirectories(installs.resolve(version).resolve("bin"));
        for (String binary : binaries) {
            Files.createFile(bin.resolve(binary), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
        }
    }
}
