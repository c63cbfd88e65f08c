package dev.jdpo.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.v1.Precision;
import dev.jdpo.proto.v1.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigReaderTest {

    private final RunConfigReader reader = new RunConfigReader();

    @Test
    void yamlWithOpenAiAutoAndNumbersWrittenAsStrings() throws Exception {
        RunConfig config = reader.parse("""
                name: demo
                model:
                  policy: examples/tiny-llama
                  precision: tf32
                data: {training_file: train.jsonl, validation_split: 0.1}
                training:
                  loss_types: [sigmoid, sft]
                  loss_weights: [1, 0.5]
                  learning_rate: 5e-7
                  max-length: 512
                hyperparameters:
                  n_epochs: auto
                  batch_size: 4
                  learning_rate_multiplier: "2"
                  beta: auto
                output: {output_dir: out}
                """, "run.yaml", List.of());
        assertEquals("demo", config.getName());
        assertEquals(Precision.PRECISION_TF32, config.getModel().getPrecision());
        assertEquals(0.1, config.getData().getValidationSplit());
        assertEquals(List.of("sigmoid", "sft"), config.getTraining().getLossTypesList());
        assertEquals(List.of(1.0, 0.5), config.getTraining().getLossWeightsList());
        assertEquals(5e-7, config.getTraining().getLearningRate(), "YAML 1.1 reads 5e-7 as a string");
        assertEquals(512, config.getTraining().getMaxLength(), "kebab-case keys are accepted");
        assertTrue(config.getHyperparameters().getNEpochs().getAuto());
        assertEquals(4, config.getHyperparameters().getBatchSize().getValue());
        assertEquals(2.0, config.getHyperparameters().getLearningRateMultiplier().getValue());
        assertTrue(config.getHyperparameters().getBeta().getAuto());
        assertFalse(config.getTraining().hasBeta(), "unset stays unset until defaults");
    }

    @Test
    void jsonIsReadByTheSameParser(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.json");
        Files.writeString(file, """
                {"model": {"policy": "m", "reference": "r"},
                 "training": {"beta": 0.25, "epochs": 2, "use_weighting": true},
                 "hyperparameters": {"n_epochs": 2, "beta": "auto"},
                 "services": {"reference_addresses": ["a:1", "b:2"]}}
                """);
        RunConfig config = reader.read(file, List.of());
        assertEquals("r", config.getModel().getReference());
        assertEquals(0.25, config.getTraining().getBeta());
        assertTrue(config.getTraining().getUseWeighting());
        assertEquals(2, config.getHyperparameters().getNEpochs().getValue());
        assertEquals(List.of("a:1", "b:2"), config.getServices().getReferenceAddressesList());
    }

    @Test
    void overridesSetNestedFieldsAndWinOverTheFile() throws Exception {
        RunConfig config = reader.parse("training: {beta: 0.1}\n", "run.yaml",
                List.of("training.beta=0.3", "output.output_dir=/tmp/x", "training.loss_types=[ipo]"));
        assertEquals(0.3, config.getTraining().getBeta());
        assertEquals("/tmp/x", config.getOutput().getOutputDir());
        assertEquals(List.of("ipo"), config.getTraining().getLossTypesList());
    }

    @Test
    void everyBadValueIsReportedWithItsFieldPath() {
        InvalidConfigException error = assertThrows(InvalidConfigException.class, () -> reader.parse("""
                model: {policy: m, precision: fp64}
                training: {beta: high, epochs: 1.5, bta: 1}
                hyperparameters: {batch_size: some}
                unknown_section: {}
                """, "run.yaml", List.of()));
        List<String> fields = error.violations().stream().map(ConfigViolation::field).toList();
        assertEquals(List.of("model.precision", "training.beta", "training.epochs", "training.bta",
                "hyperparameters.batch_size", "unknown_section"), fields);
        assertTrue(error.getMessage().contains("training.beta: expected a number, got \"high\""), error.getMessage());
        assertTrue(error.getMessage().contains("model.precision: expected one of [fp32, tf32, fp16], got \"fp64\""),
                error.getMessage());
        assertTrue(error.getMessage().contains("hyperparameters.batch_size: expected \"auto\" or an integer"),
                error.getMessage());
    }

    @Test
    void syntaxErrorsNameTheFileLineAndColumn() {
        InvalidConfigException error = assertThrows(InvalidConfigException.class,
                () -> reader.parse("model:\n  policy: [unclosed\n", "run.yaml", List.of()));
        assertTrue(error.getMessage().matches("config: run\\.yaml:\\d+:\\d+: .*"), error.getMessage());
    }

    @Test
    void missingFileAndMalformedOverrideAreConfigErrors(@TempDir Path dir) {
        InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                () -> reader.read(dir.resolve("absent.yaml"), List.of()));
        assertTrue(missing.getMessage().endsWith("absent.yaml does not exist"), missing.getMessage());
        InvalidConfigException override = assertThrows(InvalidConfigException.class,
                () -> reader.fromOverrides(List.of("training.beta")));
        assertEquals("--set: expected field.path=value, got \"training.beta\"", override.getMessage());
    }
}
