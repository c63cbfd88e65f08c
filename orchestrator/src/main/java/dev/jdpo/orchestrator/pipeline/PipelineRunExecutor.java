package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.host.security.ClientTls;
import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunExecutor;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.ProtoTrainingConfig;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.DataOrder;
import dev.jdpo.trainer.data.TrainingPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real pipeline: pairs sampled with the starting policy when the data asks for them ({@link SampledPairsFile}),
 * the policy's tokenizer reads and splits the data (tokenizer-svc), the frozen reference model
 * or its replicas attach log-probs (reference-svc), and the trainer service trains with checkpoints, cancel, resume
 * and evaluation on the held-out pairs every {@code output.eval_interval} steps (trainer-svc). A run starts from
 * its own last checkpoint after a restart, else from {@code output.resume_from_checkpoint} when that is set. The
 * tokenizer and the trainer are reached over gRPC: an in-process server by default, or
 * {@code services.tokenizer_address} / {@code services.trainer_address}. With {@code reference.mode} streaming the
 * tokenized pairs go to a run-local store on disk and reach the trainer as it trains, scored a window ahead.
 * A DPO run with {@code training.sft_warmup} trains two stages on the same data ({@link SftWarmupStages}).
 */
public final class PipelineRunExecutor implements RunExecutor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRunExecutor.class);

    private final Path referenceCacheDir;
    private final Path runDataDir;
    private final ServiceChannels channels;
    private SoftReference<ValidatedData> lastValidated = new SoftReference<>(null);
    private ValidatedStore lastValidatedStore;
    private ValidatedRows lastValidatedRows;

    private record ValidatedData(RunConfig config, DatasetLoader.Pairs pairs) {
    }

    /** The rows validating counted for a streaming run that trains while its file is read, until its run takes them. */
    private record ValidatedRows(RunConfig config, int rows) {
    }

    /** A streaming run's store written while validating, until its run takes it. */
    private record ValidatedStore(RunConfig config, ValidatedFolder folder) {
    }

    /**
     * @param referenceCacheDir where reference log-probs are cached across runs
     * @param runDataDir        where streaming runs keep their tokenized pairs, a folder per run (validated stores
     *                          a killed process left there are removed now)
     * @param serviceTls        TLS (mutual with a client certificate) toward remote services; {@code null}: plaintext
     */
    public PipelineRunExecutor(Path referenceCacheDir, Path runDataDir, ClientTls serviceTls) {
        this.referenceCacheDir = referenceCacheDir;
        this.runDataDir = runDataDir;
        this.channels = new ServiceChannels(ClientTls.credentials(serviceTls));
        ValidatedFolder.sweep(runDataDir, LOG::warn);
    }

    @Override
    public void checkResume(RunConfig config) throws dev.jdpo.orchestrator.config.InvalidConfigException {
        ResumeCompatibility.check(config);
    }

    @Override
    public Optional<DataSummary> validateFiles(RunConfig submitted, RunReporter reporter)
            throws RunFailure, InterruptedException {
        trainerConfig(submitted, null);
        Optional<RunConfig> materialized = SampledPairsFile.materialize(submitted, reporter);
        if (materialized.isEmpty()) {
            return Optional.empty();
        }
        RunConfig config = materialized.get();
        if (streaming(config)) {
            return validateIntoStore(config, reporter);
        }
        Optional<DatasetLoader.Pairs> read = datasetLoader(config).load(config, reporter);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        DatasetLoader.Pairs split = read.get();
        synchronized (this) {
            lastValidated = new SoftReference<>(new ValidatedData(config, split));
        }
        return Optional.of(new DataSummary(split.training().size(), split.validation().size()));
    }

    /**
     * A streaming run's validation writes its store (in a folder of its own until the run adopts it), so a dataset
     * is never held whole and is tokenized once for validating and training.
     */
    private Optional<DataSummary> validateIntoStore(RunConfig config, RunReporter reporter)
            throws RunFailure, InterruptedException {
        OptionalInt rows = StoreFill.trainsWhileReading(config);
        if (rows.isPresent()) {
            reporter.info(config.getData().getTrainingFile() + ": " + rows.getAsInt() + " rows, more than "
                    + "data.shuffle_window (" + DatasetOrder.window(config.getData()) + "): they are tokenized and "
                    + "checked as the run trains, which starts with the first pairs");
            synchronized (this) {
                lastValidatedRows = new ValidatedRows(config, rows.getAsInt());
            }
            return Optional.of(new DataSummary(rows.getAsInt(), 0));
        }
        ValidatedFolder folder;
        try {
            folder = ValidatedFolder.create(runDataDir);
        } catch (IOException unwritable) {
            throw new RunFailure("internal", "storing the tokenized pairs in " + runDataDir + " failed: "
                    + unwritable.getMessage(), "");
        }
        Path dir = folder.dir();
        Optional<PairStore> written = Optional.empty();
        try {
            written = writeStore(dir, config, reporter);
        } finally {
            if (written.isEmpty()) {
                discard(folder, reporter::warn);
            }
        }
        if (written.isEmpty()) {
            return Optional.empty();
        }
        DataSummary summary;
        try (PairStore store = written.get()) {
            summary = new DataSummary(store.trainingSize(), store.validationSize());
        } catch (IOException e) {
            throw new RunFailure("internal", "closing the stored pairs in " + dir + " failed: " + e.getMessage(), "");
        }
        ValidatedStore replaced;
        synchronized (this) {
            replaced = lastValidatedStore;
            lastValidatedStore = new ValidatedStore(config, folder);
        }
        if (replaced != null) {
            discard(replaced.folder(), reporter::warn);
        }
        return Optional.of(summary);
    }

    private static boolean streaming(RunConfig config) {
        return config.getReference().getMode() == ReferenceMode.REFERENCE_MODE_STREAMING;
    }

    @Override
    public RunOutcome execute(RunStart start, RunReporter reporter) throws RunFailure, InterruptedException {
        TrainingConfig training = trainerConfig(start.config(), start);
        Optional<ResumePoint> resume = ResumePoint.of(start, reporter);
        long resumeStep = resume.map(ResumePoint::runStep).orElse(0L);
        Optional<RunConfig> materialized = SampledPairsFile.materialize(start.config(), reporter);
        if (materialized.isEmpty()) {
            return new RunOutcome.Stopped(resumeStep);
        }
        RunConfig config = materialized.get();
        try (SharedBaseHold base = SharedBaseHold.of(config)) {
            if (streaming(config)) {
                return executeStreaming(start, config, training, resume, reporter);
            }
            Optional<DatasetLoader.Pairs> loaded = data(config, reporter);
            if (loaded.isEmpty()) {
                return new RunOutcome.Stopped(resumeStep);
            }
            if (config.getTraining().hasSftWarmup()) {
                return withSftWarmup(start, config, loaded.get(), resume, reporter);
            }
            return trainStage(start, config, resolved(config, start.hyperparameters()), loaded.get(), resume,
                    reporter);
        }
    }

    /**
     * {@code training.sft_warmup}: stage 1 fine-tunes on the preferred answers into {@code sft/} (skipped once
     * {@code sft/final} exists, so a resumed run goes on where it was), stage 2 runs DPO from that result.
     */
    private RunOutcome withSftWarmup(RunStart start, RunConfig config, DatasetLoader.Pairs data,
                                     Optional<ResumePoint> resume, RunReporter reporter)
            throws RunFailure, InterruptedException {
        Path sftDir = SftWarmupStages.sftDir(config);
        if (!SftWarmupStages.sftDone(config)) {
            reporter.info("Stage 1 of 2: SFT on the preferred answers, checkpoints in " + sftDir);
            RunConfig sft = SftWarmupStages.sftConfig(config);
            RunOutcome outcome = trainStage(start, sft,
                    SftWarmupStages.sftTraining(resolved(config, start.hyperparameters())), data,
                    resume.filter(point -> point.directory().startsWith(sftDir)),
                    new StageReporter(reporter, "sft stage", 0));
            if (outcome instanceof RunOutcome.Stopped) {
                return outcome;
            }
        }
        long sftSteps = SftWarmupStages.sftSteps(config);
        RunConfig dpo = SftWarmupStages.dpoConfig(config);
        reporter.info("Stage 2 of 2: DPO from the SFT result " + SftWarmupStages.sftResult(config)
                + ", which is also the reference");
        RunOutcome outcome = trainStage(start, dpo, resolved(dpo, start.hyperparameters()), data,
                resume.filter(point -> !point.directory().startsWith(sftDir)),
                new StageReporter(reporter, "dpo stage", sftSteps));
        return outcome instanceof RunOutcome.Stopped stopped ? new RunOutcome.Stopped(sftSteps + stopped.step())
                : outcome;
    }

    /** Attaches reference log-probs when the losses need them, then trains {@code config}'s job. */
    private RunOutcome trainStage(RunStart start, RunConfig config, dev.jdpo.proto.v1.TrainingConfig training,
                                  DatasetLoader.Pairs split, Optional<ResumePoint> resume, RunReporter reporter)
            throws RunFailure, InterruptedException {
        TrainingConfig engine = engineConfig(training, config);
        long resumeStep = resume.map(ResumePoint::step).orElse(0L);
        List<EncodedPair> all = new ArrayList<>(split.training());
        all.addAll(split.validation());
        List<TrainingPair> pairs;
        if (engine.needsReference()) {
            Optional<List<TrainingPair>> scored = ReferenceScoring.attach(config, all, engine.ldAlpha() != null,
                    referenceCacheDir, channels.credentials(), reporter);
            if (scored.isEmpty()) {
                return new RunOutcome.Stopped(resumeStep);
            }
            pairs = scored.get();
        } else {
            pairs = ScoringWindow.unscored(all);
        }
        String address = config.getServices().getTrainerAddress();
        TrainerClient trainer = new TrainerClient(channels.channel(address), ServiceChannels.target(address),
                ServiceRetries.of(config.getServices()));
        return trainer.train(job(start.runId(), config, training, resume), pairs.subList(0, split.training().size()),
                pairs.subList(split.training().size(), pairs.size()), reporter, resumeStep);
    }

    /**
     * A streaming run: the tokenized pairs are stored once in the run's folder (a restart reads them back instead of
     * tokenizing again), the validation pairs are scored up front, and the training pairs go to the trainer as it
     * asks for them, scored a window ahead. The folder is removed once the run completes or fails.
     */
    private RunOutcome executeStreaming(RunStart start, RunConfig config, TrainingConfig training,
                                        Optional<ResumePoint> resume, RunReporter reporter)
            throws RunFailure, InterruptedException {
        long resumeStep = resume.map(ResumePoint::step).orElse(0L);
        Path dir = runDataDir.resolve(start.runId());
        adoptValidatedStore(config, dir, reporter);
        Optional<PairStore> stored = openStore(dir, reporter);
        StoreFill fill = null;
        if (stored.isEmpty()) {
            OptionalInt rows = validatedRows(config);
            try {
                if (rows.isPresent()) {
                    fill = StoreFill.start(dir, config, rows.getAsInt(), datasetLoader(config), reporter);
                    stored = Optional.of(fill.store());
                } else {
                    stored = writeStore(dir, config, reporter);
                }
            } catch (IOException unwritable) {
                deleteStore(dir, reporter::warn);
                throw new RunFailure("internal", "storing the run's tokenized pairs in " + dir + " failed: "
                        + unwritable.getMessage(), "");
            } catch (RunFailure failed) {
                deleteStore(dir, reporter::warn);
                throw failed;
            }
            if (stored.isEmpty()) {
                return new RunOutcome.Stopped(resumeStep);
            }
        }
        TrainJob job = job(start.runId(), config, resolved(config, start.hyperparameters()), resume);
        String address = config.getServices().getTrainerAddress();
        TrainerClient trainer = new TrainerClient(channels.channel(address), ServiceChannels.target(address),
                ServiceRetries.of(config.getServices()));
        boolean perToken = training.ldAlpha() != null;
        int window = config.getReference().getWindowPairs();
        RunOutcome outcome;
        try (PairStore store = stored.get(); StoreFill filling = fill) {
            DataOrder order = new DataOrder(training.seed(), store.trainingSize(),
                    DatasetOrder.window(config.getData()));
            List<EncodedPair> validation = store.validation();
            if (training.needsReference()) {
                outcome = ReferenceScoring.withScorer(config, referenceCacheDir, channels.credentials(), reporter,
                        false, scorer -> {
                            RunOutcome trained = trainer.train(job, new StreamedJobPairs(store, order,
                                    scorer, perToken, scorer.score(validation, store.trainingSize(), perToken),
                                    window), reporter, resumeStep);
                            reporter.info("Reference log-probs: " + scorer.pairs() + " pairs scored while training ("
                                    + scorer.cacheHits() + " from the cache)");
                            return Optional.of(trained);
                        }).orElseGet(() -> new RunOutcome.Stopped(resumeStep)); // stopped waiting for the cache
            } else {
                outcome = trainer.train(job, new StreamedJobPairs(store, order, null, false,
                        ScoringWindow.unscored(validation), window), reporter, resumeStep);
            }
        } catch (IOException unreadable) {
            deleteStore(dir, reporter::warn);
            throw new RunFailure("internal", "reading the run's stored pairs in " + dir + " failed: "
                    + unreadable.getMessage(), "");
        } catch (RunFailure failed) {
            deleteStore(dir, reporter::warn);
            throw failed;
        }
        if (fill != null && fill.failure() != null) {
            deleteStore(dir, reporter::warn);
            throw fill.failure();
        }
        // a stopped run (cancelled, or paused by the shutdown) keeps its store, to resume from or inspect
        if (outcome instanceof RunOutcome.Completed) {
            deleteStore(dir, reporter::warn);
        }
        return outcome;
    }

    private static Optional<PairStore> openStore(Path dir, RunReporter reporter) throws RunFailure {
        try {
            Optional<PairStore> store = PairStore.open(dir);
            store.ifPresent(s -> reporter.info("Reading the tokenized pairs stored in " + dir + " ("
                    + s.trainingSize() + " training pairs)"));
            return store;
        } catch (IOException unreadable) {
            throw new RunFailure("internal", "reading the run's stored pairs in " + dir + " failed: "
                    + unreadable.getMessage(), "");
        }
    }

    /** Tokenizes the run's data into a store in {@code dir}; empty after a stop request. */
    private Optional<PairStore> writeStore(Path dir, RunConfig config, RunReporter reporter)
            throws RunFailure, InterruptedException {
        try (PairStore.Writer writer = PairStore.writer(dir)) {
            return datasetLoader(config).store(config, reporter, writer);
        } catch (IOException unwritable) {
            throw new RunFailure("internal", "storing the run's tokenized pairs in " + dir + " failed: "
                    + unwritable.getMessage(), "");
        }
    }

    /** The rows {@link #validateIntoStore} just counted for this config, taken once; else counted now. */
    private OptionalInt validatedRows(RunConfig config) {
        synchronized (this) {
            ValidatedRows validated = lastValidatedRows;
            if (validated != null && validated.config().equals(config)) {
                lastValidatedRows = null;
                return OptionalInt.of(validated.rows());
            }
        }
        return StoreFill.trainsWhileReading(config);
    }

    /** Moves the store {@link #validateIntoStore} just wrote for this config into the run's folder, taken once. */
    private void adoptValidatedStore(RunConfig config, Path dir, RunReporter reporter) throws RunFailure {
        ValidatedStore validated;
        synchronized (this) {
            validated = lastValidatedStore;
            if (validated == null || !validated.config().equals(config)) {
                return;
            }
            lastValidatedStore = null;
        }
        if (Files.exists(dir)) {
            discard(validated.folder(), reporter::warn);
            return;
        }
        try {
            Files.move(validated.folder().dir(), dir, StandardCopyOption.ATOMIC_MOVE);
            validated.folder().close();
        } catch (IOException unmovable) {
            throw new RunFailure("internal", "moving the validated pairs " + validated.folder().dir() + " to " + dir
                    + " failed: " + unmovable.getMessage(), "");
        }
    }

    /** Removes a validated store no run took, then lets its folder's lock go. */
    private static void discard(ValidatedFolder folder, Consumer<String> warn) {
        if (Files.exists(folder.dir())) {
            deleteStore(folder.dir(), warn);
        }
        try {
            folder.close();
        } catch (IOException failed) {
            warn.accept("could not release the lock of " + folder.dir() + ": " + failed.getMessage());
        }
    }

    /** A finished run's store is of no further use; failing to remove it costs disk, not the run. */
    private static void deleteStore(Path dir, Consumer<String> warn) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException failed) {
            warn.accept("could not remove the run's stored pairs in " + dir + ": " + failed.getMessage());
        }
    }

    /** The run's tokenized pairs: those validation just read, else read again; empty after a stop request. */
    private Optional<DatasetLoader.Pairs> data(RunConfig config, RunReporter reporter)
            throws RunFailure, InterruptedException {
        Optional<DatasetLoader.Pairs> loaded = validatedData(config);
        return loaded.isPresent() ? loaded : datasetLoader(config).load(config, reporter);
    }

    /**
     * The data {@link #validateFiles} just read for this config, taken once: the run that validated it is
     * usually the next to train. Softly held, so a queue of validated runs never pins their data in memory.
     */
    private synchronized Optional<DatasetLoader.Pairs> validatedData(RunConfig config) {
        ValidatedData validated = lastValidated.get();
        if (validated == null || !validated.config().equals(config)) {
            return Optional.empty();
        }
        lastValidated = new SoftReference<>(null);
        return Optional.of(validated.pairs());
    }

    /** Cancels an embedded training job (it checkpoints at its next step boundary) and closes the channels. */
    @Override
    public void close() {
        channels.close();
        ValidatedStore unused;
        synchronized (this) {
            unused = lastValidatedStore;
            lastValidatedStore = null;
        }
        if (unused != null) {
            discard(unused.folder(), LOG::warn);
        }
    }

    private DatasetLoader datasetLoader(RunConfig config) {
        String address = config.getServices().getTokenizerAddress();
        return new DatasetLoader(channels.channel(address), ServiceChannels.target(address),
                ServiceRetries.of(config.getServices()));
    }

    /** The job; the pad id is left to the trainer (the policy's own), since padding never changes a number. */
    private static TrainJob job(String runId, RunConfig config, dev.jdpo.proto.v1.TrainingConfig training,
                                Optional<ResumePoint> resume) {
        TrainJob.Builder job = TrainJob.newBuilder()
                .setRunId(runId)
                .setPolicyPath(config.getModel().getPolicy())
                .setTraining(training)
                .setOutput(config.getOutput().toBuilder()
                        .setResumeFromCheckpoint(resume.map(point -> point.directory().toString()).orElse("")))
                .setEvalBatchSize(config.getTraining().getReferenceBatchSize())
                .setDevice(config.getModel().getDevice())
                .setPrecision(config.getModel().getPrecision())
                .setShuffleWindow(DatasetOrder.window(config.getData()));
        if (config.hasEvaluation()) {
            job.setEvaluation(config.getEvaluation());
        }
        return job.build();
    }

    /** The run's training settings with "auto" replaced by the resolved values; placeholders before they are. */
    static dev.jdpo.proto.v1.TrainingConfig resolved(RunConfig config, ResolvedHyperparameters resolved) {
        dev.jdpo.proto.v1.TrainingConfig.Builder training = config.getTraining().toBuilder();
        if (resolved != null) {
            training.setEpochs(resolved.getNEpochs()).setBatchSize(resolved.getBatchSize())
                    .setBeta(resolved.getBeta()).setLearningRate(resolved.getLearningRate());
        }
        return training.build();
    }

    /** The trainer's config, with placeholders for the counts when they are not resolved yet. */
    private static TrainingConfig trainerConfig(RunConfig config, RunStart start) throws RunFailure {
        return engineConfig(resolved(config, start == null ? null : start.hyperparameters()), config);
    }

    private static TrainingConfig engineConfig(dev.jdpo.proto.v1.TrainingConfig training, RunConfig config)
            throws RunFailure {
        try {
            return ProtoTrainingConfig.toEngine(training, config.getOutput());
        } catch (InvalidConfigException invalid) {
            throw new RunFailure("invalid_config", invalid.getMessage(), invalid.field());
        }
    }
}
