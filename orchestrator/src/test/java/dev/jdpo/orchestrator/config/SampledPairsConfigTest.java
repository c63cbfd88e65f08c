package dev.jdpo.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.SampledPairs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code data.sampled_pairs} stands in for a training file, and each of its fields is checked by name. */
class SampledPairsConfigTest {

    private final RunConfigValidator validator = new RunConfigValidator();

    private static RunConfig config(DataConfig.Builder data) {
        return RunConfig.newBuilder().setModel(ModelConfig.newBuilder().setPolicy("m")).setData(data)
                .setOutput(OutputConfig.newBuilder().setOutputDir("out")).build();
    }

    private List<String> violations(RunConfig config) {
        return assertThrows(InvalidConfigException.class, () -> validator.validate(config)).violations().stream()
                .map(ConfigViolation::toString).toList();
    }

    @Test
    void sampledPairsReplaceTheTrainingFile() {
        assertDoesNotThrow(() -> validator.validate(config(DataConfig.newBuilder().setSampledPairs(
                SampledPairs.newBuilder().setPromptsFile("p.jsonl").setCriteriaFile("c.yaml").setNumSamples(4)))));
        assertEquals(List.of("data.training_file: required: a file of preference pairs (or data.sampled_pairs)"),
                violations(config(DataConfig.newBuilder())));
    }

    @Test
    void everyFieldIsCheckedByName() {
        assertEquals(List.of(
                "data.sampled_pairs: set either data.training_file or data.sampled_pairs, not both",
                "data.sampled_pairs.prompts_file: required: a JSONL file of prompts",
                "data.sampled_pairs.criteria_file: required: a criteria file",
                "data.sampled_pairs.num_samples: must be at least 2 to make a pair, got 1",
                "data.sampled_pairs.temperature: must be > 0, got 0",
                "data.sampled_pairs.top_p: must be in (0, 1], got 1.5",
                "data.sampled_pairs.max_new_tokens: must be positive, got 0"),
                violations(config(DataConfig.newBuilder().setTrainingFile("t.jsonl").setSampledPairs(
                        SampledPairs.newBuilder().setNumSamples(1).setTemperature(0).setTopP(1.5)
                                .setMaxNewTokens(0)))));
    }
}
