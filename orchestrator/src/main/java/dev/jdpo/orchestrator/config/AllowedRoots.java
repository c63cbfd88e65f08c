package dev.jdpo.orchestrator.config;

import dev.jdpo.host.EchoLimit;
import dev.jdpo.host.security.PathRoots;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.checkpoint.TrainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories a run may read models and data from and write output to ({@code jdpo.allowed-roots}).
 * Paths are compared as {@link PathRoots} compares them (after resolving symbolic links), the check every
 * service makes too.
 */
public final class AllowedRoots {

    private final PathRoots roots;

    public AllowedRoots(List<Path> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("jdpo.allowed-roots must name at least one directory");
        }
        this.roots = new PathRoots(roots);
    }

    /** The default: the working directory and the user's home. */
    public static AllowedRoots defaults() {
        return new AllowedRoots(PathRoots.defaults().roots());
    }

    public List<Path> roots() {
        return roots.roots();
    }

    /**
     * Makes every path of the config absolute (relative ones against the server's working directory),
     * then checks that each lies under a root (PERMISSION_DENIED otherwise) and that inputs exist.
     */
    public RunConfig checkPaths(RunConfig config) throws PathNotAllowedException, InvalidConfigException {
        RunConfig.Builder b = config.toBuilder();
        b.getModelBuilder().setPolicy(absolute("model.policy", config.getModel().getPolicy()));
        if (!config.getModel().getReference().isEmpty()) {
            b.getModelBuilder().setReference(absolute("model.reference", config.getModel().getReference()));
        }
        b.getDataBuilder().setTrainingFile(absolute("data.training_file", config.getData().getTrainingFile()));
        if (!config.getData().getValidationFile().isEmpty()) {
            b.getDataBuilder().setValidationFile(absolute("data.validation_file",
                    config.getData().getValidationFile()));
        }
        if (!config.getEvaluation().getPromptsFile().isEmpty()) {
            b.getEvaluationBuilder().setPromptsFile(absolute("evaluation.prompts_file",
                    config.getEvaluation().getPromptsFile()));
        }
        if (config.getData().hasSampledPairs()) {
            var sampled = b.getDataBuilder().getSampledPairsBuilder();
            sampled.setPromptsFile(absolute("data.sampled_pairs.prompts_file", sampled.getPromptsFile()));
            sampled.setCriteriaFile(absolute("data.sampled_pairs.criteria_file", sampled.getCriteriaFile()));
        }
        String adapter = config.getTraining().getLora().getAdapter();
        if (!adapter.isEmpty()) {
            b.getTrainingBuilder().getLoraBuilder().setAdapter(absolute("training.lora.adapter", adapter));
        }
        b.getOutputBuilder().setOutputDir(absolute("output.output_dir", config.getOutput().getOutputDir()));
        b.getOutputBuilder().setResumeFromCheckpoint(absolute("output.resume_from_checkpoint",
                config.getOutput().getResumeFromCheckpoint()));
        RunConfig resolved = b.build();

        requireAllowed("model.policy", resolved.getModel().getPolicy());
        requireAllowed("model.reference", resolved.getModel().getReference());
        requireAllowed("data.training_file", resolved.getData().getTrainingFile());
        requireAllowed("data.validation_file", resolved.getData().getValidationFile());
        requireAllowed("evaluation.prompts_file", resolved.getEvaluation().getPromptsFile());
        requireAllowed("data.sampled_pairs.prompts_file", resolved.getData().getSampledPairs().getPromptsFile());
        requireAllowed("data.sampled_pairs.criteria_file", resolved.getData().getSampledPairs().getCriteriaFile());
        requireAllowed("training.lora.adapter", resolved.getTraining().getLora().getAdapter());
        requireAllowed("output.output_dir", resolved.getOutput().getOutputDir());
        requireAllowed("output.resume_from_checkpoint", resolved.getOutput().getResumeFromCheckpoint());

        List<ConfigViolation> missing = new ArrayList<>();
        requireModelDir("model.policy", resolved.getModel().getPolicy(), missing);
        requireModelDir("model.reference", resolved.getModel().getReference(), missing);
        String adapterDir = resolved.getTraining().getLora().getAdapter();
        if (!adapterDir.isEmpty() && !Files.isRegularFile(Path.of(adapterDir, "adapter_config.json"))) {
            missing.add(new ConfigViolation("training.lora.adapter", adapterDir
                    + " is not a PEFT adapter directory (no adapter_config.json)"));
        }
        requireFile("data.training_file", resolved.getData().getTrainingFile(), missing);
        requireFile("data.validation_file", resolved.getData().getValidationFile(), missing);
        requireFile("evaluation.prompts_file", resolved.getEvaluation().getPromptsFile(), missing);
        requireFile("data.sampled_pairs.prompts_file", resolved.getData().getSampledPairs().getPromptsFile(),
                missing);
        requireFile("data.sampled_pairs.criteria_file", resolved.getData().getSampledPairs().getCriteriaFile(),
                missing);
        Path output = Path.of(resolved.getOutput().getOutputDir());
        if (Files.exists(output) && !Files.isDirectory(output)) {
            missing.add(new ConfigViolation("output.output_dir", output + " exists and is not a directory"));
        }
        requireOutsideModels(resolved, output, missing);
        requireCheckpointDir("output.resume_from_checkpoint", resolved.getOutput().getResumeFromCheckpoint(),
                missing);
        requireNoEarlierCheckpoints(resolved.getOutput(), missing);
        if (!missing.isEmpty()) {
            throw new InvalidConfigException(missing);
        }
        return resolved;
    }

    /**
     * An input file outside any run config (a continual job's held-out prompts): absolute, under a root, readable.
     *
     * @return the absolute path
     */
    public String checkInputFile(String field, String path) throws PathNotAllowedException, InvalidConfigException {
        String resolved = absolute(field, path);
        requireAllowed(field, resolved);
        List<ConfigViolation> missing = new ArrayList<>();
        requireFile(field, resolved, missing);
        if (!missing.isEmpty()) {
            throw new InvalidConfigException(missing);
        }
        return resolved;
    }

    /** A NUL byte or another character the file system refuses is a bad argument, not an internal error. */
    private static String absolute(String field, String path) throws InvalidConfigException {
        try {
            return path.isEmpty() ? path : Path.of(path).toAbsolutePath().normalize().toString();
        } catch (InvalidPathException notAPath) {
            throw new InvalidConfigException(field, "not a valid path (" + notAPath.getReason() + "): "
                    + EchoLimit.value(path));
        }
    }

    private void requireAllowed(String field, String path) throws PathNotAllowedException {
        if (path.isEmpty()) {
            return;
        }
        if (!roots.contains(Path.of(path))) {
            throw new PathNotAllowedException(field, path);
        }
    }

    private static void requireModelDir(String field, String path, List<ConfigViolation> found) {
        if (path.isEmpty()) {
            return;
        }
        Path dir = Path.of(path);
        if (!Files.isDirectory(dir)) {
            found.add(new ConfigViolation(field, path + " is not a directory"));
        } else if (!Files.isRegularFile(dir.resolve("config.json"))) {
            found.add(new ConfigViolation(field, path + " is not a Hugging Face model directory (no config.json)"));
        }
    }

    /** Checkpoints written into a model directory would mix with (and save_total_limit could prune) its files. */
    private static void requireOutsideModels(RunConfig config, Path output, List<ConfigViolation> found) {
        Path realOutput = PathRoots.canonical(output);
        for (String model : List.of(config.getModel().getPolicy(), config.getModel().getReference())) {
            if (!model.isEmpty() && realOutput.startsWith(PathRoots.canonical(Path.of(model)))) {
                found.add(new ConfigViolation("output.output_dir", output + " is inside the model directory "
                        + model + "; choose an output_dir outside it"));
                return;
            }
        }
    }

    private static void requireCheckpointDir(String field, String path, List<ConfigViolation> found) {
        if (!path.isEmpty() && !Files.isRegularFile(Path.of(path, TrainerState.FILE))) {
            found.add(new ConfigViolation(field, path + " is not a checkpoint directory (no " + TrainerState.FILE
                    + ")"));
        }
    }

    /**
     * Two runs in one output_dir would overwrite and prune each other's checkpoints. Resuming a checkpoint of that
     * output_dir continues its run there; a checkpoint from elsewhere does not make a used output_dir free.
     */
    private static void requireNoEarlierCheckpoints(OutputConfig output, List<ConfigViolation> found) {
        Path outputDir = Path.of(output.getOutputDir());
        String resume = output.getResumeFromCheckpoint();
        if (!resume.isEmpty() && outputDir.equals(Path.of(resume).getParent())) {
            return;
        }
        List<Path> earlier;
        try {
            earlier = Checkpoints.list(outputDir);
        } catch (IOException unreadable) {
            found.add(new ConfigViolation("output.output_dir", "cannot list " + output.getOutputDir() + ": "
                    + unreadable.getMessage()));
            return;
        }
        if (!earlier.isEmpty()) {
            found.add(new ConfigViolation("output.output_dir", output.getOutputDir() + " already holds "
                    + earlier.get(earlier.size() - 1).getFileName() + " of an earlier run; set "
                    + "output.resume_from_checkpoint to one of its checkpoints to continue it, or choose another "
                    + "output_dir"));
        }
    }

    private static void requireFile(String field, String path, List<ConfigViolation> found) {
        if (path.isEmpty()) {
            return;
        }
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            found.add(new ConfigViolation(field, path + " is not a file"));
        } else if (!Files.isReadable(file)) {
            found.add(new ConfigViolation(field, path + " is not readable"));
        }
    }
}
