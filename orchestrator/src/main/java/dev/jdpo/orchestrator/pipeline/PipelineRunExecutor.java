package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunExecutor;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.grpc.ProtoHyperparameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The real pipeline: the policy's tokenizer reads and splits the data (tokenizer-svc), the frozen reference model
 * or its replicas attach log-probs (reference-svc), and the trainer service trains with checkpoints, cancel, resume
 * and evaluation on the held-out pairs every {@code output.eval_interval} steps (trainer-svc). The tokenizer and
 * the trainer are reached over gRPC: an in-process server by default, or {@code services.tokenizer_address} /
 * {@code services.trainer_address}.
 */
public final class PipelineRunExecutor implements RunExecutor, AutoCloseable {

    private final Path referenceCacheDir;
    private final ServiceChannels channels = new ServiceChannels();

    /** @param referenceCacheDir where reference log-probs are cached across runs */
    public PipelineRunExecutor(Path referenceCacheDir) {
        this.referenceCacheDir = referenceCacheDir;
    }

    @Override
    public DataSummary validateFiles(RunConfig config, RunReporter reporter) throws RunFailure, InterruptedException {
        DatasetLoader.Pairs split = datasetLoader(config).load(config, reporter);
        trainerConfig(config, null);
        return new DataSummary(split.training().size(), split.validation().size());
    }

    @Override
    public RunOutcome execute(RunStart start, RunReporter reporter) throws RunFailure, InterruptedException {
        RunConfig config = start.config();
        TrainingConfig training = trainerConfig(config, start);
        DatasetLoader.Pairs split = datasetLoader(config).load(config, reporter);
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
        String address = config.getServices().getTrainerAddress();
        TrainerClient trainer = new TrainerClient(channels.channel(address), ServiceChannels.target(address),
                ServiceRetries.of(config.getServices()));
        return trainer.train(job(start, training), pairs.subList(0, split.training().size()),
                pairs.subList(split.training().size(), pairs.size()), reporter,
                start.resumeFrom().map(c -> c.getStep()).orElse(0L));
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
    private static TrainJob job(RunStart start, TrainingConfig training) {
        RunConfig config = start.config();
        TrainJob.Builder job = TrainJob.newBuilder()
                .setRunId(start.runId())
                .setPolicyPath(config.getModel().getPolicy())
                .setOutputDir(config.getOutput().getOutputDir())
                .setHyperparameters(ProtoHyperparameters.toProto(training))
                .setEvalSteps(Math.toIntExact(config.getOutput().getEvalInterval()))
                .setEvalBatchSize(config.getTraining().getReferenceBatchSize())
                .setDevice(config.getModel().getDevice())
                .setPrecision(config.getModel().getPrecision());
        start.resumeFrom().ifPresent(checkpoint -> job.setResumeFromCheckpoint(checkpoint.getPath()));
        return job.build();
    }

    /** The trainer's config, with placeholders for the counts when they are not resolved yet. */
    private static TrainingConfig trainerConfig(RunConfig config, RunStart start) throws RunFailure {
        try {
            return TrainerConfigs.of(config, start == null ? TrainerConfigs.unresolved(config) : start.hyperparameters());
        } catch (InvalidConfigException invalid) {
            throw new RunFailure("invalid_config", invalid.getMessage(), "training." + invalid.field());
        }
    }
}
