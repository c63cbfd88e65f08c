package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.config.ConfigViolation;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.RunConfigDefaults;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.SftWarmup;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.trainer.checkpoint.ConfigJson;
import dev.jdpo.trainer.checkpoint.TrainerState;
import dev.jdpo.trainer.data.DataCursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CreateRun's check that a run can continue the checkpoint it resumes, against a trainer_state.json. */
class ResumeCompatibilityTest {

    @TempDir
    Path dir;

    /** A run of 2 epochs, batch 4, beta 0.1 (defaults for the rest) resuming {@code dir}. */
    private RunConfig config(TrainingConfig.Builder training) {
        return new RunConfigDefaults().apply(RunConfig.newBuilder()
                .setTraining(training)
                .setOutput(OutputConfig.newBuilder().setResumeFromCheckpoint(dir.toString()))
                .build());
    }

    private static TrainingConfig.Builder training() {
        return TrainingConfig.newBuilder().setEpochs(2).setBatchSize(4).setBeta(0.1);
    }

    /** Writes the checkpoint of {@code saved}'s run at {@code step} of {@code totalSteps}. */
    private void checkpoint(RunConfig saved, int step, int totalSteps) throws Exception {
        ResolvedHyperparameters resolved = ResolvedHyperparameters.newBuilder()
                .setNEpochs(saved.getTraining().getEpochs()).setBatchSize(saved.getTraining().getBatchSize())
                .setBeta(saved.getTraining().getBeta()).setLearningRate(saved.getTraining().getLearningRate())
                .setLearningRateMultiplier(1).build();
        dev.jdpo.trainer.config.TrainingConfig trainer = dev.jdpo.trainer.config.ProtoTrainingConfig.toEngine(
                PipelineRunExecutor.resolved(saved, resolved), saved.getOutput());
        Files.createDirectories(dir);
        new TrainerState(step, 1.0, new DataCursor(0, 0), 100, totalSteps, 1e-6, "data", false, Map.of(),
                ConfigJson.toJson(trainer), ConfigJson.fingerprint(trainer)).write(dir);
    }

    private List<ConfigViolation> refusal(RunConfig config) {
        return assertThrows(InvalidConfigException.class, () -> ResumeCompatibility.check(config)).violations();
    }

    @Test
    void anUnfinishedCheckpointResumesWithTheSameTrainingOrALongerRun() throws Exception {
        checkpoint(config(training()), 10, 28);
        assertDoesNotThrow(() -> ResumeCompatibility.check(config(training())));
        assertDoesNotThrow(() -> ResumeCompatibility.check(config(training().setEpochs(3))));
        assertDoesNotThrow(() -> ResumeCompatibility.check(config(training().clearBatchSize())),
                "an auto batch size resolves as it did for the checkpoint");
    }

    @Test
    void eachTrainingFieldThatDiffersIsNamed() throws Exception {
        checkpoint(config(training()), 10, 28);
        List<ConfigViolation> refused = refusal(config(training().setBeta(0.2).setBatchSize(8)));
        assertEquals(List.of("training.beta", "training.batch_size"),
                refused.stream().map(ConfigViolation::field).toList());
        assertEquals("must stay 0.1 to resume " + dir + ", which was trained with it (got 0.2)",
                refused.get(0).description());
    }

    @Test
    void aLoraCheckpointResumesOnlyWithItsAdapterSettings() throws Exception {
        dev.jdpo.proto.v1.LoraConfig.Builder lora = dev.jdpo.proto.v1.LoraConfig.newBuilder().setR(8)
                .addTargetModules("q_proj").addTargetModules("v_proj");
        checkpoint(config(training().setLora(lora)), 10, 28);
        assertDoesNotThrow(() -> ResumeCompatibility.check(config(training().setLora(lora))));
        List<ConfigViolation> refused = refusal(config(training().setLora(lora.clone().setR(16).setLoraAlpha(32)
                .clearTargetModules().addTargetModules("all-linear"))));
        assertEquals(List.of("training.lora.r", "training.lora.lora_alpha", "training.lora.target_modules"),
                refused.stream().map(ConfigViolation::field).toList());
        assertEquals("must stay 8 to resume " + dir + ", which was trained with it (got 16)",
                refused.get(0).description());
        assertEquals(List.of("training.lora.r", "training.lora.lora_alpha", "training.lora.lora_dropout",
                        "training.lora.use_rslora", "training.lora.target_modules"),
                refusal(config(training())).stream().map(ConfigViolation::field).toList(),
                "a LoRA checkpoint does not resume as a full fine-tune");
    }

    @Test
    void underSftWarmupACheckpointIsComparedWithItsOwnStagesSettings() throws Exception {
        Path out = dir.resolve("out");
        RunConfig run = new RunConfigDefaults().apply(RunConfig.newBuilder()
                .setTraining(training().setSftWarmup(SftWarmup.newBuilder().setSteps(3))
                        .setLora(dev.jdpo.proto.v1.LoraConfig.newBuilder().setR(8)))
                .setOutput(OutputConfig.newBuilder().setOutputDir(out.toString()))
                .build());
        ResolvedHyperparameters resolved = ResolvedHyperparameters.newBuilder().setNEpochs(2).setBatchSize(4)
                .setBeta(0.1).setLearningRate(run.getTraining().getLearningRate()).setLearningRateMultiplier(1)
                .build();
        // the SFT stage's last checkpoint (method sft, its own learning rate): a finished warm-up goes on into DPO
        Path sft = out.resolve("sft/checkpoint-3");
        stageCheckpoint(sft, dev.jdpo.trainer.config.ProtoTrainingConfig.toEngine(SftWarmupStages.sftTraining(
                PipelineRunExecutor.resolved(run, resolved)), run.getOutput()), 3, 3);
        assertDoesNotThrow(() -> ResumeCompatibility.check(resuming(run, sft)));
        // a DPO-stage checkpoint continues the SFT adapter, which the run's own lora settings do not name
        Path dpo = out.resolve("checkpoint-5");
        RunConfig dpoStage = SftWarmupStages.dpoConfig(run);
        stageCheckpoint(dpo, dev.jdpo.trainer.config.ProtoTrainingConfig.toEngine(
                PipelineRunExecutor.resolved(dpoStage, resolved), dpoStage.getOutput()), 5, 28);
        assertDoesNotThrow(() -> ResumeCompatibility.check(resuming(run, dpo)));
        assertEquals(List.of("training.beta"), refusal(resuming(run.toBuilder().setTraining(run.getTraining()
                .toBuilder().setBeta(0.2)).build(), dpo)).stream().map(ConfigViolation::field).toList());
        // an SFT-stage checkpoint of another run's output_dir would be taken for this run's DPO stage
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/checkpoint-3"));
        Files.copy(sft.resolve(TrainerState.FILE), elsewhere.resolve(TrainerState.FILE));
        List<ConfigViolation> foreign = refusal(resuming(run, elsewhere));
        assertEquals("output.resume_from_checkpoint", foreign.get(0).field());
        assertTrue(foreign.get(0).description().contains("is an SFT warm-up checkpoint"),
                foreign.get(0).description());
    }

    private static RunConfig resuming(RunConfig run, Path checkpoint) {
        return run.toBuilder().setOutput(run.getOutput().toBuilder().setResumeFromCheckpoint(checkpoint.toString()))
                .build();
    }

    private static void stageCheckpoint(Path at, dev.jdpo.trainer.config.TrainingConfig trainer, int step,
                                        int totalSteps) throws Exception {
        Files.createDirectories(at);
        new TrainerState(step, 1.0, new DataCursor(0, 0), 100, totalSteps, 1e-6, "data", false, Map.of(),
                ConfigJson.toJson(trainer), ConfigJson.fingerprint(trainer)).write(at);
    }

    @Test
    void aFullFineTuneDoesNotResumeAsLora() throws Exception {
        checkpoint(config(training()), 10, 28);
        List<ConfigViolation> refused = refusal(config(training().setLora(
                dev.jdpo.proto.v1.LoraConfig.getDefaultInstance())));
        assertEquals("training.lora.r", refused.get(0).field());
        assertTrue(refused.get(0).description().startsWith("must stay unset"), refused.get(0).description());
    }

    @Test
    void aFinishedRunContinuesOnlyWithMoreEpochsOrSteps() throws Exception {
        checkpoint(config(training()), 28, 28);
        List<ConfigViolation> same = refusal(config(training()));
        assertEquals("output.resume_from_checkpoint", same.get(0).field());
        assertTrue(same.get(0).description().startsWith(dir + " is the last checkpoint of a finished run (step 28 "
                + "of 28) of 2 epochs; raise training.epochs above 2"), same.get(0).description());
        assertDoesNotThrow(() -> ResumeCompatibility.check(config(training().setEpochs(3))));
        assertEquals("training.max_steps", refusal(config(training().setMaxSteps(28))).get(0).field());
        assertDoesNotThrow(() -> ResumeCompatibility.check(config(training().setMaxSteps(40))));
    }

    @Test
    void aRunWithoutResumeIsNotChecked() {
        RunConfig fresh = new RunConfigDefaults().apply(RunConfig.getDefaultInstance());
        assertDoesNotThrow(() -> ResumeCompatibility.check(fresh));
    }
}
