package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.host.security.ClientTls;
import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunExecutor;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.ProtoTrainingConfig;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The real pipeline: pairs sampled with the starting policy when the data asks for them ({@link SampledPairsFile}),
 * the policy's tokenizer reads and splits the data (tokenizer-svc), the frozen reference model
 * or its replicas attach log-probs (reference-svc), and the trainer service trains with checkpoints, cancel, resume
 * and evaluation on the held-out pairs every {@code output.eval_interval} steps (trainer-svc). A run starts from
 * its own last checkpoint after a restart, else from {@code output.resume_from_checkpoint} when that is set. The
 * tokenizer and the trainer are reached over gRPC: an in-process server by default, or
 * {@code services.tokenizer_address} / {@code services.trainer_address}.
 */
public final class PipelineRunExecutor implements RunExecutor, AutoCloseable {

    private final Path referenceCacheDir;
    private final ServiceChannels channels;
    private SoftReference<ValidatedData> lastValidated = new SoftReference<>(null);

    private record ValidatedData(RunConfig config, DatasetLoader.Pairs pairs) {
    }

    /** @param referenceCacheDir where reference log-probs are cached across runs */
    public PipelineRunExecutor(Path referenceCacheDir) {
        this(referenceCacheDir, null);
    }

    /**
     * @param referenceCacheDir where reference log-probs are cached across runs
     * @param serviceTls        TLS (mutual with a client certificate) toward remote services; {@code null}: plaintext
     */
    public PipelineRunExecutor(Path referenceCacheDir, ClientTls serviceTls) {
        this.referenceCacheDir = referenceCacheDir;
        this.channels = new ServiceChannels(ClientTls.credentials(serviceTls));
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

    @Override
    public RunOutcome execute(RunStart start, RunReporter reporter) throws RunFailure, InterruptedException {
        TrainingConfig training = trainerConfig(start.config(), start);
        Optional<ResumePoint> resume = ResumePoint.of(start, reporter);
        long resumeStep = resume.map(ResumePoint::step).orElse(0L);
        Optional<RunConfig> materialized = SampledPairsFile.materialize(start.config(), reporter);
        if (materialized.isEmpty()) {
            return new RunOutcome.Stopped(resumeStep);
        }
        RunConfig config = materialized.get();
        Optional<DatasetLoader.Pairs> loaded = validatedData(config);
        if (loaded.isEmpty()) {
            loaded = datasetLoader(config).load(config, reporter);
            if (loaded.isEmpty()) {
                return new RunOutcome.Stopped(resumeStep);
            }
        }
        DatasetLoader.Pairs split = loaded.get();
        List<EncodedPair> all = new ArrayList<>(split.training());
        all.addAll(split.validation());
        List<TrainingPair> pairs;
        if (training.needsReference()) {
            Optional<List<TrainingPair>> scored = ReferenceScoring.attach(config, all, training.ldAlpha() != null,
                    referenceCacheDir, channels.credentials(), reporter);
            if (scored.isEmpty()) {
                return new RunOutcome.Stopped(resumeStep);
            }
            pairs = scored.get();
        } else {
            pairs = all.stream()
                    .map(p -> new TrainingPair(p.promptIds(), p.chosenIds(), p.rejectedIds(), null)).toList();
        }
        String address = config.getServices().getTrainerAddress();
        TrainerClient trainer = new TrainerClient(channels.channel(address), ServiceChannels.target(address),
                ServiceRetries.of(config.getServices()));
        return trainer.train(job(start, resume), pairs.subList(0, split.training().size()),
                pairs.subList(split.training().size(), pairs.size()), reporter, resumeStep);
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
    }

    private DatasetLoader datasetLoader(RunConfig config) {
        String address = config.getServices().getTokenizerAddress();
        return new DatasetLoader(channels.channel(address), ServiceChannels.target(address),
                ServiceRetries.of(config.getServices()));
    }

    /** The job; the pad id is left to the trainer (the policy's own), since padding never changes a number. */
    private static TrainJob job(RunStart start, Optional<ResumePoint> resume) {
        RunConfig config = start.config();
        TrainJob.Builder job = TrainJob.newBuilder()
                .setRunId(start.runId())
                .setPolicyPath(config.getModel().getPolicy())
                .setTraining(resolved(config, start.hyperparameters()))
                .setOutput(config.getOutput().toBuilder()
                        .setResumeFromCheckpoint(resume.map(point -> point.directory().toString()).orElse("")))
                .setEvalBatchSize(config.getTraining().getReferenceBatchSize())
                .setDevice(config.getModel().getDevice())
                .setPrecision(config.getModel().getPrecision());
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
        try {
            return ProtoTrainingConfig.toEngine(resolved(config, start == null ? null : start.hyperparameters()),
                    config.getOutput());
        } catch (InvalidConfigException invalid) {
            throw new RunFailure("invalid_config", invalid.getMessage(), invalid.field());
        }
    }
}
