package dev.jdpo.reference.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReferenceServerMainTest {

    @TempDir
    Path dir;

    private static String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = ReferenceServerMain.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(expectedExit, cli.execute(args), err.toString());
        return err.toString();
    }

    @Test
    void aDirectoryThatIsNotACheckpointIsAOneLineError() {
        String err = run(1, "--model", dir.toString(), "--port", "0");
        assertTrue(err.startsWith("jdpo serve reference: "), err);
        assertTrue(err.contains("config.json"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void optionErrorsNameTheOption() {
        String err = run(2, "--model", dir.toString(), "--precision", "BF8");
        assertTrue(err.contains("--precision"), err);
    }
}
