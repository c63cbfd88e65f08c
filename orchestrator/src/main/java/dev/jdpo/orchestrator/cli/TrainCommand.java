package dev.jdpo.orchestrator.cli;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.StorageDType;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.checkpoint.TrainerState;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.ReferencePrecompute;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.StepMetrics;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.LoggedMetrics;
import dev.jdpo.trainer.run.MetricsLog;
import dev.jdpo.trainer.run.RunResult;
import dev.jdpo.trainer.run.TrainingListener;
import dev.jdpo.trainer.run.TrainingRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdpo train}: DPO training in this process. Reads preference data with the policy's tokenizer, scores it
 * once with the reference model (then frees it), trains the policy, writes checkpoints, metrics and
 * {@code OUTPUT/final}. Ctrl-C stops after the current step with a checkpoint that {@code --resume} continues.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Align a Hugging Face causal LM with DPO (or another preference loss) in this process.")
public final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--policy", required = true, description = "HF model directory to train")
    Path policy;

    @Option(names = "--reference", description = "HF model directory of the frozen reference (needed by every loss "
            + "except sft, simpo and orpo)")
    Path reference;

    @Option(names = "--data", required = true, description = "preference pairs (JSONL/JSON/Parquet; "
            + "prompt/chosen/rejected as text or chat messages)")
    Path data;

    @Option(names = "--output", required = true, description = "directory for checkpoint-N/ and final/")
    Path output;

    @Option(names = "--metrics-out", description = "JSONL file, one object per logging step")
    Path metricsOut;

    @Option(names = "--loss", split = ",", defaultValue = "sigmoid",
            description = "loss types, comma-separated (TRL names; e.g. sigmoid,sft for RPO). Default: sigmoid")
    List<String> losses;

    @Option(names = "--loss-weights", split = ",", description = "one weight per loss (default: 1 each)")
    List<Double> lossWeights;

    @Option(names = "--beta", description = "implicit reward temperature (default 0.1)")
    Double beta;

    @Option(names = "--label-smoothing", description = "cDPO/robust/exo_pair/simpo label noise in [0, 0.5)")
    Double labelSmoothing;

    @Option(names = "--simpo-gamma", description = "SimPO target margin (default 0.5)")
    Double simpoGamma;

    @Option(names = "--discopop-tau", description = "DiscoPOP temperature (default 0.05)")
    Double discopopTau;

    @Option(names = "--ld-alpha", description = "LD-DPO weight of tokens past the shared length, in [0, 1]")
    Double ldAlpha;

    @Option(names = "--use-weighting", description = "WPO weighting of pairs")
    boolean useWeighting;

    @Option(names = "--lr", description = "peak AdamW learning rate (default 1e-6)")
    Double learningRate;

    @Option(names = "--weight-decay", description = "AdamW weight decay, not on norms/biases (default 0)")
    Double weightDecay;

    @Option(names = "--max-grad-norm", description = "global gradient-norm clip, 0 = off (default 1.0)")
    Double maxGradNorm;

    @Option(names = "--scheduler", description = "constant, linear or cosine (default linear)")
    String scheduler;

    @Option(names = "--warmup-steps", description = "linear warmup steps (default 0)")
    Integer warmupSteps;

    @Option(names = "--warmup-ratio", description = "warmup as a fraction of all steps, when --warmup-steps is 0")
    Double warmupRatio;

    @Option(names = "--batch-size", description = "pairs per micro-batch (default 8)")
    Integer batchSize;

    @Option(names = "--grad-accum", description = "micro-batches per optimizer step (default 1)")
    Integer gradAccum;

    @Option(names = "--max-steps", description = "optimizer steps; overrides --epochs when > 0")
    Integer maxSteps;

    @Option(names = "--epochs", description = "passes over the data (default 3)")
    Integer epochs;

    @Option(names = "--seed", description = "data order and torch seed (default 42)")
    Long seed;

    @Option(names = "--save-steps", description = "checkpoint every N steps, 0 = only at the end (default 500)")
    Integer saveSteps;

    @Option(names = "--save-total-limit", description = "keep the newest N checkpoints, 0 = all (default 0)")
    Integer saveTotalLimit;

    @Option(names = "--logging-steps", description = "report metrics every N steps (default 1)")
    Integer loggingSteps;

    @Option(names = "--save-dtype", description = "f32, f16 or bf16 (default: the policy's dtype)")
    String saveDtype;

    @Option(names = "--reference-batch-size", defaultValue = "16",
            description = "sequences per reference forward pass (default 16)")
    int referenceBatchSize;

    @Option(names = "--resume", arity = "0..1", fallbackValue = "",
            description = "continue from a checkpoint dir (default: the newest checkpoint-N in --output)")
    String resume;

    @Override
    public Integer call() throws Exception {
        TrainingConfig config = config();
        config.requireReference(reference != null);
        if (referenceBatchSize <= 0) {
            throw new InvalidConfigException("reference_batch_size", "must be >= 1, got " + referenceBatchSize);
        }
        Path checkpoint = resume == null ? null : checkpointToResume();
        if (checkpoint == null && !Checkpoints.list(output).isEmpty()) {
            throw new InvalidConfigException("output", output + " already holds checkpoints of an earlier run; "
                    + "pass --resume to continue it, or choose another --output");
        }
        PrintWriter err = spec.commandLine().getErr();
        Dataset dataset = readPairs(err);
        List<TrainingPair> pairs = dataset.pairs();
        int padId = dataset.padId();
        if (reference != null) {
            err.printf("jdpo: scoring %d pairs with the reference model %s%n", pairs.size(), reference);
            err.flush();
            try (CausalLM ref = CausalLM.load(reference, LoadOptions.cpu())) {
                pairs = ReferencePrecompute.attach(ref, padId, pairs, referenceBatchSize, config.ldAlpha() != null);
            }
        }
        SaveOptions save = new SaveOptions(config.saveDtype(), SaveOptions.DEFAULT_MAX_SHARD_BYTES);
        TrainingRun.Output out = new TrainingRun.Output(output, save);
        Files.createDirectories(output);
        if (checkpoint != null) {
            err.printf("jdpo: resuming from %s%n", checkpoint);
            try (TrainingRun run = TrainingRun.resume(checkpoint, LoadOptions.trainableCpu(), padId, pairs, config,
                    out)) {
                return train(run, err);
            }
        }
        try (CausalLM model = CausalLM.load(policy, LoadOptions.trainableCpu());
             TrainingRun run = TrainingRun.start(model, padId, pairs, config, out)) {
            return train(run, err);
        }
    }

    private int train(TrainingRun run, PrintWriter err) throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        Thread interrupt = new Thread(() -> {
            run.cancel();
            try {
                finished.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jdpo-train-cancel");
        Runtime.getRuntime().addShutdownHook(interrupt);
        try (MetricsLog metrics = metricsOut == null ? null : MetricsLog.open(metricsOut, run.completedSteps())) {
            RunResult result = run.run(new Progress(err, metrics));
            err.println(result.completed()
                    ? "jdpo: done after " + result.steps() + " steps; model in " + result.finalModel()
                    : "jdpo: stopped after step " + result.steps() + "; resume from " + result.lastCheckpoint());
            err.flush();
            return 0;
        } finally {
            finished.countDown();
            removeHook(interrupt);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting; the hook is running and returns now that the run finished
        }
    }

    private TrainingConfig config() {
        TrainingConfig.Builder builder = TrainingConfig.builder().lossTypes(losses).lossWeights(lossWeights)
                .useWeighting(useWeighting).ldAlpha(ldAlpha);
        set(beta, builder::beta);
        set(labelSmoothing, builder::labelSmoothing);
        set(simpoGamma, builder::simpoGamma);
        set(discopopTau, builder::discopopTau);
        set(learningRate, builder::learningRate);
        set(weightDecay, builder::weightDecay);
        set(maxGradNorm, builder::maxGradNorm);
        set(warmupSteps, builder::warmupSteps);
        set(warmupRatio, builder::warmupRatio);
        set(batchSize, builder::batchSize);
        set(gradAccum, builder::gradientAccumulationSteps);
        set(maxSteps, builder::maxSteps);
        set(epochs, builder::epochs);
        set(seed, builder::seed);
        set(saveSteps, builder::saveSteps);
        set(saveTotalLimit, builder::saveTotalLimit);
        set(loggingSteps, builder::loggingSteps);
        if (scheduler != null) {
            builder.scheduler(SchedulerType.parse("scheduler", scheduler));
        }
        if (saveDtype != null) {
            builder.saveDtype(parseDtype(saveDtype));
        }
        return builder.build();
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private static StorageDType parseDtype(String value) {
        try {
            return StorageDType.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("save_dtype", "unknown dtype '" + value + "', expected f32, f16 or bf16");
        }
    }

    /** The checkpoint --resume names: a checkpoint dir, or an output dir whose newest checkpoint is taken. */
    private Path checkpointToResume() throws IOException {
        Path given = resume.isEmpty() ? output : Path.of(resume);
        if (Files.isRegularFile(given.resolve(TrainerState.FILE))) {
            return given;
        }
        return Checkpoints.latest(given).orElseThrow(() -> new InvalidConfigException("resume",
                "no checkpoint to resume: " + given + " holds neither " + TrainerState.FILE
                        + " nor checkpoint-N directories"));
    }

    /** Tokenized pairs and the id that pads them. */
    private record Dataset(List<TrainingPair> pairs, int padId) { }

    private Dataset readPairs(PrintWriter err) throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(policy)) {
            // file order: the trainer reshuffles every epoch from --seed, and resume checks this order
            DataOptions options = DataOptions.defaults().withSplit(0, 0.0, false);
            List<EncodedPair> encoded = new PreferenceDataset(new PairEncoder(tokenizer), options).load(data).train();
            if (encoded.isEmpty()) {
                throw new InvalidConfigException("data", data + " holds no preference pairs");
            }
            err.printf("jdpo: %d pairs from %s%n", encoded.size(), data);
            return new Dataset(encoded.stream()
                    .map(pair -> new TrainingPair(pair.promptIds(), pair.chosenIds(), pair.rejectedIds(), null))
                    .toList(), tokenizer.specialTokens().padId());
        }
    }

    /** One progress line per step on stderr, and the metrics file at logging steps. */
    private record Progress(PrintWriter err, MetricsLog metrics) implements TrainingListener {

        @Override
        public void onStep(StepResult result, int totalSteps) {
            StepMetrics m = result.metrics();
            err.printf(Locale.ROOT, "step %d/%d  loss %.4f  grad_norm %.4f  lr %.3e  acc %.2f  margin %.4f  "
                            + "%.1f pairs/s%n", m.step(), totalSteps, m.loss(), m.gradNorm(), m.learningRate(),
                    m.rewardsAccuracies(), m.rewardsMargins(), m.pairs() / m.seconds());
            err.flush();
        }

        @Override
        public void onLog(LoggedMetrics logged) throws IOException {
            if (metrics != null) {
                metrics.onLog(logged);
            }
        }

        @Override
        public void onCheckpoint(int step, Path directory) {
            err.println("jdpo: saved " + directory);
            err.flush();
        }
    }
}
