package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.StorageDType;
import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunExecutor;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.TrainingDivergedException;
import dev.jdpo.trainer.run.RunResult;
import dev.jdpo.trainer.run.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The real pipeline, in-process: the policy's tokenizer reads and splits the data (tokenizer-svc), the frozen
 * reference model or its replicas attach log-probs (reference-svc), and the policy trains with checkpoints,
 * cancel and resume (trainer-svc), evaluated on the held-out pairs every {@code output.eval_interval} steps. Training holds a JVM-wide lock: DJL allows one gradient collector per JVM.
 */
public final class PipelineRunExecutor implements RunExecutor {

    private static final Object TRAINING_LOCK = new Object();

    private final Path referenceCacheDir;

    /** @param referenceCacheDir where reference log-probs are cached across runs */
    public PipelineRunExecutor(Path referenceCacheDir) {
        this.referenceCacheDir = referenceCacheDir;
    }

    @Override
    public DataSummary validateFiles(RunConfig config, RunReporter reporter) throws RunFailure {
        DatasetLoader.Split split = DatasetLoader.load(config, reporter);
        trainerConfig(config, null);
        return new DataSummary(split.training().size(), split.validation().size());
    }

    @Override
    public RunOutcome execute(RunStart start, RunReporter reporter) throws RunFailure {
        RunConfig config = start.config();
        TrainingConfig training = trainerConfig(config, start);
        DatasetLoader.Split split = DatasetLoader.load(config, reporter);
        List<EncodedPair> all = new ArrayList<>(split.training());
        all.addAll(split.validation());
        List<TrainingPair> pairs;
        if (training.needsReference()) {
            Optional<List<TrainingPair>> scored = ReferenceScoring.attach(config, all, training.ldAlpha() != null,
                    referenceCacheDir, reporter);
            if (scored.isEmpty()) {
                return new RunOutcome.Stopped(start.resumeFrom().map(c -> c.getStep()).orElse(0L));
            }
            pairs = scored.get();
        } else {
            pairs = all.stream()
                    .map(p -> new TrainingPair(p.promptIds(), p.chosenIds(), p.rejectedIds(), null)).toList();
        }
        List<TrainingPair> trainingPairs = pairs.subList(0, split.training().size());
        List<TrainingPair> validationPairs = pairs.subList(split.training().size(), pairs.size());
        Evaluator evaluator = validationPairs.isEmpty() ? null
                : new Evaluator(training, validationPairs, split.padId(), config.getTraining().getReferenceBatchSize());
        synchronized (TRAINING_LOCK) {
            return train(start, training, trainingPairs, split.padId(), evaluator, reporter);
        }
    }

    private RunOutcome train(RunStart start, TrainingConfig training, List<TrainingPair> pairs, int padId,
                             Evaluator evaluator, RunReporter reporter) throws RunFailure {
        RunConfig config = start.config();
        LoadOptions load = Devices.loadOptions(config.getModel(), true);
        TrainingRun.Output output = new TrainingRun.Output(Path.of(config.getOutput().getOutputDir()),
                saveOptions(config));
        CausalLM policy = null;
        try {
            TrainingRun run;
            if (start.resumeFrom().isPresent()) {
                Path checkpoint = Path.of(start.resumeFrom().get().getPath());
                reporter.info("Resuming training from " + checkpoint);
                run = TrainingRun.resume(checkpoint, load, padId, pairs, training, output);
            } else {
                policy = CausalLM.load(Path.of(config.getModel().getPolicy()), load);
                run = TrainingRun.start(policy, padId, pairs, training, output);
            }
            try (run) {
                RunResult result = run.run(new ProgressBridge(run, reporter, evaluator,
                        config.getOutput().getEvalInterval()));
                return result.completed() ? new RunOutcome.Completed(result.finalModel())
                        : new RunOutcome.Stopped(result.steps());
            }
        } catch (ModelLoadException unloadable) {
            throw new RunFailure("invalid_model", "model.policy: " + unloadable.getMessage(), "model.policy");
        } catch (CheckpointException broken) {
            throw new RunFailure("checkpoint_error", broken.getMessage(), "");
        } catch (TrainingDivergedException diverged) {
            throw new RunFailure("training_diverged", diverged.getMessage(), "");
        } catch (InvalidConfigException invalid) {
            throw new RunFailure("invalid_config", invalid.getMessage(), "training." + invalid.field());
        } catch (IOException ioFailure) {
            throw new RunFailure("io_error", "writing " + config.getOutput().getOutputDir() + " failed: "
                    + ioFailure.getMessage(), "output.output_dir");
        } finally {
            if (policy != null) {
                policy.close();
            }
        }
    }

    /** The trainer's config, with placeholders for the counts when they are not resolved yet. */
    private static TrainingConfig trainerConfig(RunConfig config, RunStart start) throws RunFailure {
        try {
            return TrainerConfigs.of(config, start == null ? TrainerConfigs.unresolved(config) : start.hyperparameters());
        } catch (InvalidConfigException invalid) {
            throw new RunFailure("invalid_config", invalid.getMessage(), "training." + invalid.field());
        }
    }

    private static SaveOptions saveOptions(RunConfig config) {
        String dtype = config.getOutput().getSaveDtype();
        return new SaveOptions(dtype.isEmpty() ? null : StorageDType.valueOf(dtype.toUpperCase(Locale.ROOT)),
                SaveOptions.DEFAULT_MAX_SHARD_BYTES);
    }
}
