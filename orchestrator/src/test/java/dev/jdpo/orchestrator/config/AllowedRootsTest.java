package dev.jdpo.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowedRootsTest {

    @TempDir
    Path tmp;

    @Test
    void pathsInsideTheRootPassAndBecomeAbsolute() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        RunConfig checked = new AllowedRoots(List.of(workspace.root())).checkPaths(workspace.config("ok"));
        assertTrue(Path.of(checked.getModel().getPolicy()).isAbsolute());
        assertEquals(workspace.trainingFile().toString(), checked.getData().getTrainingFile());
    }

    @Test
    void aSymbolicLinkOutOfTheRootIsDenied() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        TestWorkspace workspace = new TestWorkspace(outside);
        Path link = Files.createSymbolicLink(root.resolve("link"), workspace.model());
        RunConfig config = workspace.config("link").toBuilder()
                .setModel(workspace.config("link").getModel().toBuilder().setPolicy(link.toString()))
                .build();
        PathNotAllowedException denied = assertThrows(PathNotAllowedException.class,
                () -> new AllowedRoots(List.of(root)).checkPaths(config));
        assertEquals("model.policy", denied.field());
    }

    @Test
    void outputOutsideTheRootIsDeniedEvenBeforeItExists() throws Exception {
        TestWorkspace workspace = new TestWorkspace(Files.createDirectories(tmp.resolve("ws")));
        RunConfig config = workspace.config("out").toBuilder()
                .setOutput(workspace.config("out").getOutput().toBuilder()
                        .setOutputDir(workspace.root().resolve("../elsewhere/new").toString()))
                .build();
        PathNotAllowedException denied = assertThrows(PathNotAllowedException.class,
                () -> new AllowedRoots(List.of(workspace.root())).checkPaths(config));
        assertEquals("output.output_dir", denied.field());
    }

    @Test
    void missingInputsAreNamedOnlyAfterThePermissionCheck() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        Files.delete(workspace.trainingFile());
        Files.delete(workspace.model().resolve("config.json"));
        InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                () -> new AllowedRoots(List.of(workspace.root())).checkPaths(workspace.config("missing")));
        assertEquals(List.of("model.policy", "data.training_file"),
                missing.violations().stream().map(ConfigViolation::field).toList());
        assertTrue(missing.getMessage().contains("no config.json"), missing.getMessage());
    }
}
