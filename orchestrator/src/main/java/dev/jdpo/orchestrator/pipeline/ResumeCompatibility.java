package dev.jdpo.orchestrator.pipeline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.orchestrator.config.ConfigViolation;
import dev.jdpo.orchestrator.config.HyperparameterResolver;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.proto.v1.Hyperparameters;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.ConfigJson;
import dev.jdpo.trainer.checkpoint.TrainerState;
import dev.jdpo.trainer.config.ProtoTrainingConfig;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.config.TrainingMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks at CreateRun that a run can continue the checkpoint it resumes, so a mismatch is refused before its files
 * are validated and its reference scored: the fields that shape the trajectory must be the checkpoint's (the
 * trainer checks the same again, with the data), and a checkpoint that ended its run must be given more epochs
 * or steps to train. Under {@code training.sft_warmup} it compares with the checkpoint's stage.
 */
final class ResumeCompatibility {

    /** The trainer's (TRL's) names in trainer_state.json, as run config field paths. */
    private static final Map<String, String> FIELDS = Map.ofEntries(
            Map.entry("loss_type", "training.loss_types"),
            Map.entry("loss_weights", "training.loss_weights"),
            Map.entry("lr_scheduler_type", "training.lr_scheduler"),
            Map.entry("per_device_train_batch_size", "training.batch_size"),
            Map.entry("num_train_epochs", "training.epochs"),
            Map.entry("lora_adapter", "training.lora.adapter"),
            Map.entry("lora_r", "training.lora.r"),
            Map.entry("lora_alpha", "training.lora.lora_alpha"),
            Map.entry("lora_dropout", "training.lora.lora_dropout"),
            Map.entry("use_rslora", "training.lora.use_rslora"),
            Map.entry("lora_target_modules", "training.lora.target_modules"));

    private ResumeCompatibility() {
    }

    /** @param config a config with defaults applied whose paths passed the allowed roots */
    static void check(RunConfig config) throws InvalidConfigException {
        String resume = config.getOutput().getResumeFromCheckpoint();
        if (resume.isEmpty()) {
            return;
        }
        TrainerState state;
        try {
            state = TrainerState.read(Path.of(resume));
        } catch (CheckpointException unreadable) {
            throw new InvalidConfigException("output.resume_from_checkpoint", unreadable.getMessage());
        }
        boolean sftStage = config.getTraining().hasSftWarmup() && state.config().has("method")
                && TrainingMethod.SFT.wireName().equals(state.config().get("method").getAsString());
        if (sftStage && !Path.of(resume).toAbsolutePath().normalize().startsWith(SftWarmupStages.sftDir(config)
                .toAbsolutePath().normalize())) {
            throw new InvalidConfigException("output.resume_from_checkpoint", resume + " is an SFT warm-up "
                    + "checkpoint; one resumes only in its own run's output_dir (" + SftWarmupStages.sftDir(config)
                    + ")");
        }
        TrainingConfig wanted;
        try {
            wanted = stageTraining(config, resolvedLike(config, state.config()), sftStage);
        } catch (dev.jdpo.trainer.config.InvalidConfigException invalid) {
            throw new InvalidConfigException(invalid.field(), invalid.getMessage());
        }
        List<ConfigViolation> found = new ArrayList<>();
        JsonObject saved = state.config();
        JsonObject now = ConfigJson.trajectory(wanted);
        for (String name : ConfigJson.trajectoryFields(saved, now)) {
            JsonElement before = saved.get(name);
            if (!Objects.equals(now.get(name), before)) {
                found.add(new ConfigViolation(field(name), "must stay " + shown(before) + " to resume " + resume
                        + ", which was trained with it (got " + shown(now.get(name)) + ")"));
            }
        }
        // a finished SFT warm-up goes on into its DPO stage
        if (found.isEmpty() && !sftStage && state.globalStep() >= state.totalSteps()) {
            requireLonger(config, state, wanted, resume).ifPresent(found::add);
        }
        if (!found.isEmpty()) {
            throw new InvalidConfigException(found);
        }
    }

    /**
     * The trainer config the run sends for the checkpoint's stage: under {@code training.sft_warmup} an SFT-stage
     * checkpoint continues the SFT stage and any other the DPO stage, each with its own settings.
     */
    private static TrainingConfig stageTraining(RunConfig config, ResolvedHyperparameters resolved, boolean sftStage) {
        if (sftStage) {
            return ProtoTrainingConfig.toEngine(SftWarmupStages.sftTraining(PipelineRunExecutor.resolved(config,
                    resolved)), SftWarmupStages.sftConfig(config).getOutput());
        }
        RunConfig stage = config.getTraining().hasSftWarmup() ? SftWarmupStages.dpoConfig(config) : config;
        return ProtoTrainingConfig.toEngine(PipelineRunExecutor.resolved(stage, resolved), stage.getOutput());
    }

    /** A checkpoint that ended its run continues only into a run with more steps or epochs. */
    private static Optional<ConfigViolation> requireLonger(RunConfig config, TrainerState state,
                                                                    TrainingConfig wanted, String resume) {
        int step = state.globalStep();
        int savedMaxSteps = state.config().get("max_steps").getAsInt();
        int savedEpochs = state.config().get("num_train_epochs").getAsInt();
        String finished = resume + " is the last checkpoint of a finished run (step " + step + " of "
                + state.totalSteps() + ")";
        if (config.getTraining().getMaxSteps() > 0) {
            return config.getTraining().getMaxSteps() > step ? Optional.empty()
                    : Optional.of(new ConfigViolation("training.max_steps", "must be above " + step
                    + " to train on: " + finished));
        }
        if (savedMaxSteps > 0) {
            return Optional.of(new ConfigViolation("output.resume_from_checkpoint", finished
                    + "; raise training.max_steps above " + step + " to train it further"));
        }
        return wanted.epochs() > savedEpochs ? Optional.empty()
                : Optional.of(new ConfigViolation("output.resume_from_checkpoint", finished + " of "
                + savedEpochs + " epochs; raise training.epochs above " + savedEpochs + " (or set "
                + "training.max_steps above " + step + ") to train it further"));
    }

    /**
     * The hyperparameters as they will resolve, for the fields the data does not decide; an "auto" batch size or
     * epoch count is taken to resolve as it did for the checkpoint (the same data gives the same value).
     */
    private static ResolvedHyperparameters resolvedLike(RunConfig config, JsonObject saved) {
        ResolvedHyperparameters.Builder resolved = new HyperparameterResolver().resolve(config, 1, 0).toBuilder();
        Hyperparameters h = config.getHyperparameters();
        if (!config.getTraining().hasBatchSize() && !h.getBatchSize().hasValue()) {
            resolved.setBatchSize(saved.get("per_device_train_batch_size").getAsInt());
        }
        if (!config.getTraining().hasEpochs() && !h.getNEpochs().hasValue()) {
            resolved.setNEpochs(saved.get("num_train_epochs").getAsInt());
        }
        return resolved.build();
    }

    /** A field's value as the message shows it; a field the run did not have is "unset". */
    private static String shown(JsonElement value) {
        return value == null || value.isJsonNull() ? "unset" : value.toString();
    }

    private static String field(String trainerName) {
        return FIELDS.getOrDefault(trainerName, "training." + trainerName);
    }
}
