package dev.jdpo.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.v1.AutoDouble;
import dev.jdpo.proto.v1.AutoInt;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.Hyperparameters;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.proto.v1.SftWarmup;
import dev.jdpo.proto.v1.TrainingConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunConfigValidatorTest {

    private final RunConfigValidator validator = new RunConfigValidator();

    private static RunConfig.Builder valid() {
        return RunConfig.newBuilder()
                .setModel(ModelConfig.newBuilder().setPolicy("m"))
                .setData(DataConfig.newBuilder().setTrainingFile("t.jsonl"))
                .setOutput(OutputConfig.newBuilder().setOutputDir("out"));
    }

    private List<String> violations(RunConfig config) {
        return assertThrows(InvalidConfigException.class, () -> validator.validate(config)).violations().stream()
                .map(ConfigViolation::toString).toList();
    }

    @Test
    void aMinimalConfigIsValid() {
        assertDoesNotThrow(() -> validator.validate(valid().build()));
    }

    @Test
    void evaluationCriteriaGoThroughTheCriteriaValidatorAndMayNotRunProgramsOrReadFiles() throws Exception {
        RunConfig config = new RunConfigReader().parse("""
                model: {policy: m}
                data: {training_file: t.jsonl}
                output: {output_dir: out}
                evaluation:
                  max_prompts: 0
                  temperature: -1
                  criteria:
                    - {name: script, command: {argv: [python3, check.py]}}
                    - {name: schema, json: {schema_file: /etc/shadow}}
                """, "test", List.of());
        assertEquals(List.of(
                "evaluation.criteria[0].command: not allowed in a run config: it would run a program on the "
                        + "trainer's machine; use jdpo evaluate for command criteria",
                "evaluation.criteria[1].json.schema_file: not allowed in a run config; give the schema inline "
                        + "(json.schema)",
                "evaluation.max_prompts: must be >= 1, got 0",
                "evaluation.temperature: must be >= 0, got -1",
                "evaluation.prompts_file: required when the run has no validation pairs (data.validation_file or "
                        + "data.validation_split): no prompts to evaluate on"),
                violations(config));

        RunConfig badRegex = new RunConfigReader().parse("""
                model: {policy: m}
                data: {training_file: t.jsonl, validation_split: 0.1}
                output: {output_dir: out}
                evaluation: {criteria: [{name: ok, word_limit: {max: 5}}, {name: bad, regex: {must_match: "("}}]}
                """, "test", List.of());
        List<String> found = violations(badRegex);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("evaluation.criteria[1].regex.must_match: "), found.get(0));
    }

    @Test
    void rangesAreCheckedWithTheValueAsWritten() {
        RunConfig config = valid().setTraining(TrainingConfig.newBuilder()
                .setBeta(-1).setLabelSmoothing(0.5).setLdAlpha(1.5).setEpochs(0).setMaxLength(1)
                .addLossTypes("dpo")).build();
        List<String> found = violations(config);
        assertTrue(found.get(0).startsWith("training.loss_types[0]: unknown loss \"dpo\"; known: [")
                && found.get(0).contains(" sigmoid,") && found.get(0).contains(" ipo,"), found.get(0));
        assertEquals(List.of(
                "training.beta: must be > 0, got -1",
                "training.label_smoothing: must be in [0, 0.5), got 0.5",
                "training.ld_alpha: must be in [0, 1], got 1.5",
                "training.epochs: must be >= 1, got 0",
                "training.max_length: must be >= 2, got 1"), found.subList(1, found.size()));
    }

    @Test
    void stepCountsBeyond32BitsAreRefusedNamingTheField() {
        RunConfig config = valid()
                .setTraining(TrainingConfig.newBuilder().setMaxSteps(Long.MAX_VALUE).setWarmupSteps(1L << 31))
                .setOutput(OutputConfig.newBuilder().setOutputDir("out").setCheckpointInterval(Long.MAX_VALUE)
                        .setEvalInterval(1L << 40).setLogInterval(Long.MAX_VALUE))
                .build();
        assertEquals(List.of(
                "training.warmup_steps: must be <= 2147483647, got 2147483648",
                "training.max_steps: must be <= 2147483647, got 9223372036854775807",
                "output.checkpoint_interval: must be <= 2147483647, got 9223372036854775807",
                "output.eval_interval: must be <= 2147483647, got 1099511627776",
                "output.log_interval: must be <= 2147483647, got 9223372036854775807"), violations(config));
    }

    @Test
    void methodAndSftWarmupAreCheckedByFieldPath() {
        assertDoesNotThrow(() -> validator.validate(valid().setTraining(TrainingConfig.newBuilder()
                .setMethod("sft")).build()));
        assertDoesNotThrow(() -> validator.validate(valid().setTraining(TrainingConfig.newBuilder()
                .setSftWarmup(SftWarmup.newBuilder().setSteps(5))).build()));
        assertEquals(List.of("training.method: must be one of [dpo, sft], got \"ppo\""), violations(valid()
                .setTraining(TrainingConfig.newBuilder().setMethod("ppo")).build()));
        List<String> sft = violations(valid().setTraining(TrainingConfig.newBuilder().setMethod("sft")
                .addLossTypes("sigmoid").setUseWeighting(true)
                .setSftWarmup(SftWarmup.newBuilder().setEpochs(0).setSteps(2))).build());
        assertEquals(List.of(
                "training.loss_types: method sft trains with the sft loss only; leave it unset or set [sft], got [sigmoid]",
                "training.use_weighting: weights preference pairs; method sft has none",
                "training.sft_warmup: is a stage before DPO; method sft has none",
                "training.sft_warmup: set exactly one of epochs and steps",
                "training.sft_warmup.epochs: must be >= 1, got 0"), sft);
        assertEquals(List.of("model.reference: the SFT result is the reference under training.sft_warmup; leave "
                + "it unset"), violations(valid().setModel(ModelConfig.newBuilder().setPolicy("m").setReference("r"))
                .setTraining(TrainingConfig.newBuilder().setSftWarmup(SftWarmup.newBuilder().setEpochs(1))).build()));
    }

    @Test
    void openAiHyperparametersConflictingWithNativeFieldsAreRejected() {
        RunConfig config = valid()
                .setTraining(TrainingConfig.newBuilder().setBeta(0.2).setBatchSize(4))
                .setHyperparameters(Hyperparameters.newBuilder()
                        .setBeta(AutoDouble.newBuilder().setValue(0.3))
                        .setBatchSize(AutoInt.newBuilder().setValue(4))
                        .setLearningRateMultiplier(AutoDouble.newBuilder().setValue(0)))
                .build();
        assertEquals(List.of(
                "hyperparameters.learning_rate_multiplier: must be > 0, got 0",
                "hyperparameters.beta: is 0.3 but training.beta is 0.2; set one of them"), violations(config));
    }

    @Test
    void consistencyRulesAcrossFields() {
        RunConfig config = valid()
                .setModel(ModelConfig.newBuilder().setPolicy("m").setDevice("cuda"))
                .setData(DataConfig.newBuilder().setTrainingFile("t").setValidationFile("v").setValidationSplit(0.1)
                        .setFormat("csv"))
                .setTraining(TrainingConfig.newBuilder().addLossTypes("exo_pair").addLossTypes("sft")
                        .addLossWeights(1).setMaxLength(100).setMaxPromptLength(100))
                .setServices(ServicesConfig.newBuilder().addReferenceAddresses("nohost").addReferenceAddresses("h:99999"))
                .build();
        assertEquals(List.of(
                "model.device: expected auto, cpu, gpu or gpu:N, got \"cuda\"",
                "data.validation_split: must be 0 or unset when data.validation_file is given",
                "data.format: must be one of [auto, messages, openai, orca, prompt-completion, trl-conversational, "
                        + "trl-implicit, trl-standard, ultrafeedback], got \"csv\"",
                "training.loss_weights: must have one weight per loss type (2), got 1",
                "training.label_smoothing: must be > 0 with loss exo_pair (e.g. 0.001)",
                "training.max_prompt_length: must be < training.max_length (100), got 100",
                "services.reference_addresses[0]: expected host:port, got \"nohost\"",
                "services.reference_addresses[1]: expected host:port, got \"h:99999\""), violations(config));
    }
}
