package dev.jdpo.trainer.grpc;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelConfig;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.Precision;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.LoraTraining;
import dev.jdpo.trainer.config.ProtoTrainingConfig;
import dev.jdpo.trainer.config.TrainingDefaults;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.eval.CriteriaEvalSettings;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A validated {@code TrainJob}: paths, the engine config, evaluation cadence, pad id and how to load and save.
 *
 * @param runId the caller's name for the job
 * @param policyDir starting weights (the frozen base under LoRA); null when resuming a full fine-tune
 * @param outputDir receives checkpoints and final/
 * @param resumeFrom checkpoint to continue from, or null
 * @param config the engine's hyperparameters
 * @param evalInterval evaluate every N steps (0: only after the last)
 * @param evalBatchSize pairs per evaluation forward pass
 * @param padId right-padding token id
 * @param vocabSize the policy's vocabulary size, for checking pairs as they arrive
 * @param load device and precision, trainable (under LoRA only the adapter is: the base always loads frozen)
 * @param save dtype and shard size of saved weights
 * @param lora how to train a LoRA adapter, or null to train every weight
 * @param evaluation the behavioural evaluation during the job, or null for none
 * @param shuffleWindow the shuffle window of pairs sent whole ({@link DataOrder})
 */
record JobSpec(String runId, Path policyDir, Path outputDir, Path resumeFrom, TrainingConfig config, int evalInterval,
               int evalBatchSize, int padId, int vocabSize, LoadOptions load, SaveOptions save, LoraTraining lora,
               CriteriaEvalSettings evaluation, int shuffleWindow) {

    /** Checks every field of {@code job}, reading the policy's (or checkpoint's) config.json for its vocabulary. */
    static JobSpec from(TrainJob job) throws TrainFailure {
        Path outputDir = path("output.output_dir", job.getOutput().getOutputDir(), true);
        Path resumeFrom = path("output.resume_from_checkpoint", job.getOutput().getResumeFromCheckpoint(), false);
        TrainingConfig config;
        LoraTraining lora;
        CriteriaEvalSettings evaluation;
        try {
            config = ProtoTrainingConfig.toEngine(job.getTraining(), job.getOutput());
            lora = config.lora();
            evaluation = job.hasEvaluation() ? CriteriaEvalSettings.from(job.getEvaluation()) : null;
        } catch (InvalidConfigException e) {
            throw TrainFailure.invalidConfig(e.field(), e.getMessage());
        }
        // a LoRA checkpoint holds only the adapter, so resuming one needs the base as well
        Path policyDir = resumeFrom == null || lora != null ? path("policy_path", job.getPolicyPath(), true) : null;
        if (lora != null && lora.adapter() != null) {
            lora = new LoraTraining(path("training.lora.adapter", lora.adapter().toString(), true), null,
                    lora.mergeAtEnd());
        }
        OutputConfig.Builder output = job.getOutput().toBuilder();
        TrainingDefaults.fill(output);
        long evalInterval = output.getEvalInterval();
        if (evalInterval < 0 || evalInterval > Integer.MAX_VALUE) {
            throw TrainFailure.invalidConfig("output.eval_interval", "output.eval_interval: must be in [0, "
                    + Integer.MAX_VALUE + "], got " + evalInterval);
        }
        if (job.getEvalBatchSize() < 0) {
            throw TrainFailure.invalidJob("eval_batch_size", "eval_batch_size: must be >= 0, got "
                    + job.getEvalBatchSize());
        }
        ModelConfig model = modelConfig(resumeFrom != null ? resumeFrom : policyDir, resumeFrom != null);
        int padId = padId(job, model);
        LoadOptions load = new LoadOptions(device(job.getDevice()), precision(job), true);
        SaveOptions save = new SaveOptions(config.saveDtype(), SaveOptions.DEFAULT_MAX_SHARD_BYTES);
        int evalBatchSize = job.getEvalBatchSize() > 0 ? job.getEvalBatchSize() : config.batchSize();
        if (job.getShuffleWindow() < 0) {
            throw TrainFailure.invalidJob("shuffle_window", "shuffle_window: must be >= 0, got "
                    + job.getShuffleWindow());
        }
        int shuffleWindow = job.getShuffleWindow() > 0 ? job.getShuffleWindow() : DataOrder.DEFAULT_WINDOW;
        return new JobSpec(job.getRunId(), policyDir, outputDir, resumeFrom, config, (int) evalInterval, evalBatchSize,
                padId, model.vocabSize(), load, save, lora, evaluation, shuffleWindow);
    }

    private static Path path(String field, String value, boolean required) throws TrainFailure {
        if (value.isBlank()) {
            if (required) {
                throw TrainFailure.invalidJob(field, field + ": required");
            }
            return null;
        }
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw TrainFailure.invalidJob(field, field + ": not a valid path: " + e.getMessage());
        }
    }

    private static ModelConfig modelConfig(Path dir, boolean checkpoint) throws TrainFailure {
        String field = checkpoint ? "output.resume_from_checkpoint" : "policy_path";
        if (!Files.isDirectory(dir)) {
            String problem = field + ": " + dir + " is not a directory";
            throw checkpoint ? TrainFailure.checkpoint(problem) : TrainFailure.invalidModel(field, problem);
        }
        try {
            return ModelConfig.read(dir.resolve("config.json"));
        } catch (ModelLoadException e) {
            String problem = field + ": " + e.getMessage();
            throw checkpoint ? TrainFailure.checkpoint(problem) : TrainFailure.invalidModel(field, problem);
        }
    }

    /** The job's pad id, else config.json's pad_token_id, else its (first) eos_token_id, else 0. */
    private static int padId(TrainJob job, ModelConfig model) throws TrainFailure {
        if (job.hasPadId()) {
            if (job.getPadId() < 0 || job.getPadId() >= model.vocabSize()) {
                throw TrainFailure.invalidJob("pad_id", "pad_id: " + job.getPadId()
                        + " is outside the policy's vocabulary [0, " + model.vocabSize() + ")");
            }
            return job.getPadId();
        }
        JsonObject json = model.json();
        for (String key : new String[] {"pad_token_id", "eos_token_id"}) {
            JsonElement value = json.get(key);
            if (value != null && value.isJsonArray() && !value.getAsJsonArray().isEmpty()) {
                value = value.getAsJsonArray().get(0);
            }
            if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
                int id = value.getAsInt();
                if (id >= 0 && id < model.vocabSize()) {
                    return id;
                }
            }
        }
        return 0;
    }

    private static Device device(String name) throws TrainFailure {
        String wanted = name.isBlank() ? "auto" : name.trim();
        int gpus = Engine.getInstance().getGpuCount();
        if (wanted.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        if (wanted.equals("cpu")) {
            return Device.cpu();
        }
        int index = -1;
        if (wanted.equals("gpu")) {
            index = 0;
        } else if (wanted.startsWith("gpu:")) {
            try {
                index = Integer.parseInt(wanted.substring(4));
            } catch (NumberFormatException notANumber) {
                index = -1;
            }
        }
        if (index < 0) {
            throw TrainFailure.invalidJob("device", "device: expected cpu, gpu, gpu:N or auto, got '" + name + "'");
        }
        if (index >= gpus) {
            throw TrainFailure.invalidJob("device", "device: " + name + " asked for GPU " + index + " but " + gpus
                    + " GPU(s) are visible");
        }
        return Device.gpu(index);
    }

    private static Precision precision(TrainJob job) {
        return switch (job.getPrecision()) {
            case PRECISION_TF32 -> Precision.TF32;
            case PRECISION_FP16 -> Precision.FP16;
            default -> Precision.FP32;
        };
    }
}
