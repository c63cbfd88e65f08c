package dev.jdpo.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jdpo.proto.v1.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every run config shipped in examples/ parses, validates, and names files that exist in the repository. */
class ExampleConfigsTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @Test
    void everyExampleConfigIsValid(@TempDir Path tmp) throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(REPO.resolve("examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(examples.isEmpty());
        for (Path example : examples) {
            RunConfig config = new RunConfigReader().read(example, List.of());
            new RunConfigValidator().validate(config);
            RunConfig fromRepoRoot = config.toBuilder()
                    .setModel(config.getModel().toBuilder().setPolicy(inRepo(config.getModel().getPolicy()))
                            .setReference(inRepo(config.getModel().getReference())))
                    .setData(config.getData().toBuilder().setTrainingFile(inRepo(config.getData().getTrainingFile())))
                    // not runs/ of the repository: a quick start run there would hold checkpoints already
                    .setOutput(config.getOutput().toBuilder()
                            .setOutputDir(tmp.resolve(config.getOutput().getOutputDir()).toString()))
                    .build();
            RunConfig checked = new AllowedRoots(List.of(REPO, tmp))
                    .checkPaths(new RunConfigDefaults().apply(fromRepoRoot));
            assertEquals(example.getFileName().toString().replace(".yaml", ""), checked.getName());
            assertDoesNotThrow(() -> new HyperparameterResolver().resolve(checked, 64, 0), example.toString());
        }
    }

    private static String inRepo(String path) {
        return path.isEmpty() ? path : REPO.resolve(path).toString();
    }
}
