package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.state.StateUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run state that tells the truth: an empty or unreadable state file is refused, naming it, never replaced. */
class StateFileTest {

    @TempDir
    Path tmp;

    @Test
    void emptyStateFileIsRefusedNamingItAndLeftAsItIs() throws Exception {
        Path stateDir = Files.createDirectories(tmp.resolve("state"));
        Path file = Files.createFile(stateDir.resolve("jdpo.mv.db"));
        StateUnavailableException e = assertThrows(StateUnavailableException.class, () -> open(stateDir).close());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertEquals(0, Files.size(file), "nothing was written over it");
    }

    @Test
    void unreadableStateFileIsRefusedNamingIt() throws Exception {
        Path stateDir = Files.createDirectories(tmp.resolve("state"));
        Path file = Files.createDirectory(stateDir.resolve("jdpo.mv.db"));
        StateUnavailableException e = assertThrows(StateUnavailableException.class, () -> open(stateDir).close());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static OrchestratorServer open(Path stateDir) {
        return OrchestratorServer.start(Map.of("jdpo.state-dir", stateDir.toString(), "jdpo.recover-runs", false),
                List.of(), false);
    }
}
