package dev.jdpo.trainer.run;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.SharedBases;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.checkpoint.ConfigJson;
import dev.jdpo.trainer.checkpoint.TrainerState;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.LoraTraining;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.DataCursor;
import dev.jdpo.trainer.data.HeldPairs;
import dev.jdpo.trainer.data.PairSource;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.PairChecks;
import dev.jdpo.trainer.engine.PolicyTrainer;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.engine.TrainingDivergedException;
import dev.jdpo.trainer.optim.LossScaler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A training run over a fixed set of pairs, held whole or streamed ({@link PairSource}): seeded shuffling per epoch, optimizer steps of
 * {@code batch_size x gradient_accumulation_steps} pairs (the last step of an epoch takes what is left), metric
 * reports every {@code logging_steps}, checkpoints every {@code save_steps} and at the end under
 * {@code OUTPUT/checkpoint-<step>} (the newest {@code save_total_limit} kept), and the aligned model in
 * {@code OUTPUT/final}. Another thread may {@link #requestCheckpoint()} or {@link #cancel()}; both take effect
 * after the current step.
 */
public final class TrainingRun implements AutoCloseable {

    /**
     * Where and how a run writes.
     *
     * @param outputDir receives checkpoint-N directories and final/
     * @param save dtype and sharding of saved HF weights
     * @param mergeAdapter with a LoRA adapter, also write base + adapter merged to {@code final-merged/}
     */
    public record Output(Path outputDir, SaveOptions save, boolean mergeAdapter) {

        public Output(Path outputDir, SaveOptions save) {
            this(outputDir, save, false);
        }
    }

    private final PolicyTrainer trainer;
    private final boolean ownsPolicy;
    private final PairSource pairs;
    private final Output output;
    private final int totalSteps;
    private final MetricsWindow window = new MetricsWindow();
    private final AtomicBoolean checkpointRequested = new AtomicBoolean();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private DataCursor cursor;
    private Path lastCheckpoint;
    private int lastCheckpointStep = -1;

    private TrainingRun(PolicyTrainer trainer, boolean ownsPolicy, PairSource pairs, Output output, int totalSteps,
                        DataCursor cursor) {
        this.trainer = trainer;
        this.ownsPolicy = ownsPolicy;
        this.pairs = pairs;
        this.output = output;
        this.totalSteps = totalSteps;
        this.cursor = cursor;
    }

    /**
     * Optimizer steps a config makes over {@code pairCount} pairs.
     *
     * @throws InvalidConfigException naming training.epochs when they make more steps than an int counts
     */
    public static int totalSteps(TrainingConfig config, int pairCount) {
        if (config.maxSteps() > 0) {
            return config.maxSteps();
        }
        int perEpoch = (pairCount + config.pairsPerStep() - 1) / config.pairsPerStep();
        long total = (long) perEpoch * config.epochs();
        if (total > Integer.MAX_VALUE) {
            throw new InvalidConfigException("training.epochs", config.epochs() + " epochs of " + perEpoch
                    + " steps make " + total + " steps; at most " + Integer.MAX_VALUE + " are supported");
        }
        return (int) total;
    }

    /**
     * A new run training {@code policy} (loaded trainable; the caller keeps ownership) on {@code pairs}, which the
     * caller checked where they entered ({@link PairChecks}; the trainer service does as each pair arrives).
     */
    public static TrainingRun start(CausalLM policy, int padId, List<TrainingPair> pairs, TrainingConfig config,
                                    Output output) {
        return start(policy, padId, new HeldPairs(pairs, config.seed(), DataOrder.DEFAULT_WINDOW), config, output);
    }

    /** As {@link #start(CausalLM, int, List, TrainingConfig, Output)}, taking the pairs from {@code pairs}. */
    public static TrainingRun start(CausalLM policy, int padId, PairSource pairs, TrainingConfig config,
                                    Output output) {
        int total = totalSteps(config, pairs.size());
        PolicyTrainer trainer = new PolicyTrainer(policy, config, padId, total);
        return new TrainingRun(trainer, false, pairs, output, total, DataCursor.START);
    }

    /**
     * Continues the run that wrote {@code checkpointDir}: weights (FP32 masters when saved), AdamW moments,
     * schedule position, data position and the partial logging window are restored, so the remaining steps
     * follow the uninterrupted trajectory. The config's trajectory fields and the data must be the same.
     */
    public static TrainingRun resume(Path checkpointDir, LoadOptions load, int padId, List<TrainingPair> pairs,
                                     TrainingConfig config, Output output) throws CheckpointException {
        return resume(checkpointDir, null, load, padId, pairs, config, output);
    }

    /**
     * As {@link #resume(Path, LoadOptions, int, List, TrainingConfig, Output)}; with {@code adapterBase} set, the
     * checkpoint holds a LoRA adapter, which is loaded trainable onto that base model, frozen.
     */
    public static TrainingRun resume(Path checkpointDir, Path adapterBase, LoadOptions load, int padId,
                                     List<TrainingPair> pairs, TrainingConfig config, Output output)
            throws CheckpointException {
        return resume(checkpointDir, adapterBase, load, padId, new HeldPairs(pairs, config.seed(), DataOrder.DEFAULT_WINDOW), config, output);
    }

    /** As {@link #resume(Path, Path, LoadOptions, int, List, TrainingConfig, Output)}, taking pairs from a source. */
    public static TrainingRun resume(Path checkpointDir, Path adapterBase, LoadOptions load, int padId,
                                     PairSource pairs, TrainingConfig config, Output output)
            throws CheckpointException {
        if (!load.trainable()) {
            throw new IllegalArgumentException("resume needs LoadOptions with trainable = true");
        }
        TrainerState state = TrainerState.read(checkpointDir);
        if (!state.configFingerprint().equals(ConfigJson.fingerprint(config))) {
            throw new CheckpointException("resume: " + checkpointDir + " was written by a run with a different "
                    + "configuration: " + String.join(", ", ConfigJson.differences(state.config(), config)));
        }
        CausalLM policy;
        try {
            // a LoRA base is shared with an in-process reference unless the adapter is merged into it at the end
            policy = adapterBase == null ? CausalLM.load(checkpointDir, load)
                    : output.mergeAdapter() ? CausalLM.load(adapterBase, checkpointDir, load)
                    : SharedBases.load(adapterBase, checkpointDir, load);
        } catch (ModelLoadException e) {
            throw new CheckpointException("resume: " + e.getMessage(), e);
        }
        try {
            String fingerprint = pairs.fingerprint();
            if (!state.datasetFingerprint().equals(fingerprint)) {
                throw new CheckpointException("resume: the training pairs differ from those " + checkpointDir
                        + " was trained on (dataset fingerprint " + fingerprint + ", checkpoint "
                        + state.datasetFingerprint() + ")");
            }
            int total = totalSteps(config, pairs.size());
            if (state.masterWeights()) {
                Checkpoints.restoreMasterWeights(checkpointDir, policy);
            }
            PolicyTrainer trainer = new PolicyTrainer(policy, config, padId, total);
            // a step skipped for an FP16 overflow advanced the schedule but not AdamW
            Optional<LossScaler.State> scaler = Checkpoints.readScaler(checkpointDir);
            if (scaler.isPresent() && trainer.lossScaler().isPresent()) {
                trainer.lossScaler().get().restore(scaler.get());
            }
            int updates = state.globalStep() - scaler.map(LossScaler.State::skippedSteps).orElse(0);
            Checkpoints.restoreOptimizer(checkpointDir, trainer.optimizer(), policy.manager(), updates);
            trainer.restoreProgress(state.globalStep(), state.numTokens(), state.learningRate());
            TrainingRun run = new TrainingRun(trainer, true, pairs, output, total, state.cursor());
            run.window.restore(state.loggingWindow());
            run.lastCheckpoint = checkpointDir;
            run.lastCheckpointStep = state.globalStep();
            return run;
        } catch (CheckpointException | RuntimeException e) {
            policy.close();
            throw e;
        }
    }

    /**
     * Trains until the scheduled steps are done or a cancel request; on completion writes a final checkpoint
     * and {@code OUTPUT/final}, on cancel a checkpoint of the last completed step. Half-written checkpoints an
     * earlier, killed attempt left in the output directory are removed first.
     *
     * @throws TrainingDivergedException when a loss or gradient turns NaN/infinite; its message names the step
     *     and the last good checkpoint, which is left in place
     */
    public RunResult run(TrainingListener listener) throws TrainingDivergedException, IOException {
        Checkpoints.removePartial(output.outputDir());
        while (trainer.completedSteps() < totalSteps) {
            if (cancelRequested.get()) {
                saveCheckpoint(listener);
                return new RunResult(false, trainer.completedSteps(), lastCheckpoint, null);
            }
            cursor = stepStart(cursor);
            int take = stepPairs(cursor);
            List<TrainingPair> batch = pairs.next(cursor, take);
            if (batch == null) {
                // the pairs' sender went away, which its call also reports as a cancel
                saveCheckpoint(listener);
                return new RunResult(false, trainer.completedSteps(), lastCheckpoint, null);
            }
            DataCursor next = new DataCursor(cursor.epoch(), cursor.position() + take);
            StepResult result = step(batch, next.epoch() + (double) next.position() / pairs.size());
            cursor = next;
            window.add(result.metrics());
            listener.onStep(result, totalSteps);
            int step = trainer.completedSteps();
            if (step % trainer.config().loggingSteps() == 0 || step == totalSteps) {
                listener.onLog(window.flush(step));
            }
            int saveEvery = trainer.config().saveSteps();
            if ((saveEvery > 0 && step % saveEvery == 0) || checkpointRequested.getAndSet(false)) {
                saveCheckpoint(listener);
            }
        }
        saveCheckpoint(listener);
        Path finalModel = output.outputDir().resolve("final");
        Checkpoints.savePolicy(trainer.policy(), finalModel, output.save());
        if (output.mergeAdapter() && trainer.policy().adapter().isPresent()) {
            // the run is over, so the policy's own weights may take the adapter in place
            trainer.policy().mergeAdapter();
            trainer.policy().save(output.outputDir().resolve(LoraTraining.MERGED_DIR), output.save());
        }
        return new RunResult(true, trainer.completedSteps(), lastCheckpoint, finalModel);
    }

    private StepResult step(List<TrainingPair> batch, double epoch) throws TrainingDivergedException {
        try {
            return trainer.step(batch, epoch);
        } catch (TrainingDivergedException e) {
            String kept = lastCheckpoint == null ? "no checkpoint had been saved yet"
                    : "the last good checkpoint is " + lastCheckpoint;
            throw new TrainingDivergedException(e.step(), e.getMessage() + "; " + kept);
        }
    }

    private void saveCheckpoint(TrainingListener listener) throws IOException {
        int step = trainer.completedSteps();
        if (step == lastCheckpointStep) {
            return;
        }
        Path dir = Checkpoints.directory(output.outputDir(), step);
        TrainingConfig config = trainer.config();
        TrainerState state = new TrainerState(step, cursor.epoch() + (double) cursor.position() / pairs.size(),
                cursor, trainer.numTokens(), totalSteps, trainer.lastLearningRate(), pairs.fingerprint(),
                Checkpoints.needsMasterWeights(trainer.policy(), output.save()), window.snapshot(),
                ConfigJson.toJson(config), ConfigJson.fingerprint(config));
        Checkpoints.write(dir, trainer.policy(), trainer.optimizer(), state, output.save(),
                trainer.lossScaler().map(LossScaler::state).orElse(null));
        lastCheckpoint = dir;
        lastCheckpointStep = step;
        Checkpoints.prune(output.outputDir(), config.saveTotalLimit());
        listener.onCheckpoint(step, dir);
    }

    /** Saves a checkpoint after the current step. */
    public void requestCheckpoint() {
        checkpointRequested.set(true);
    }

    /** Stops after the current step, saving a checkpoint there so the run can be resumed. */
    public void cancel() {
        cancelRequested.set(true);
    }

    /** Optimizer steps of the whole run. */
    public int totalSteps() {
        return totalSteps;
    }

    /** Where a step starts when the previous one ended at {@code after}: the next epoch once one is done. */
    private DataCursor stepStart(DataCursor after) {
        return after.position() == pairs.size() ? new DataCursor(after.epoch() + 1, 0) : after;
    }

    /** The pairs a step starting at {@code start} takes: a step's worth, or what is left of the epoch. */
    private int stepPairs(DataCursor start) {
        return Math.min(trainer.config().pairsPerStep(), pairs.size() - start.position());
    }

    /** The pairs the steps still to run take from the data. */
    public long pairsLeft() {
        long left = 0;
        DataCursor at = cursor;
        for (int step = trainer.completedSteps(); step < totalSteps; step++) {
            at = stepStart(at);
            int take = stepPairs(at);
            left += take;
            at = new DataCursor(at.epoch(), at.position() + take);
        }
        return left;
    }

    /** Where the run stands in its data: the position its next step starts from. */
    public DataCursor cursor() {
        return cursor;
    }

    /** Steps already completed (non-zero after a resume). */
    public int completedSteps() {
        return trainer.completedSteps();
    }

    public PolicyTrainer trainer() {
        return trainer;
    }

    /** Frees the optimizer, and the policy when this run loaded it (resume). */
    @Override
    public void close() {
        trainer.close();
        if (ownsPolicy) {
            trainer.policy().close();
        }
    }
}
