package dev.jdpo.orchestrator.cli;

import com.google.gson.Gson;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A run config from the command line: a YAML/JSON file, {@code --set field=value} overrides, and TRL-style flags
 * that each set one config field (named in brackets in the help). Flags win over {@code --set}, which wins over
 * the file, and every value goes through the same binder and validator as a config file or a gRPC request.
 */
final class RunConfigOptions {

    private static final Gson JSON = new Gson();
    /** The config field a flag sets, at the end of its help. */
    private static final Pattern FIELD = Pattern.compile("\\[([a-z_.]+)]$");

    // this mixin's own options, with the values parsed
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "run config, YAML or JSON (see examples/)")
    Path config;

    @Option(names = "--set", paramLabel = "FIELD=VALUE",
            description = "override a config field, e.g. --set training.beta=0.2 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--name", description = "label shown by `jdpo list` [name]")
    String name;

    @Option(names = "--policy", paramLabel = "DIR", description = "HF model directory to train [model.policy]")
    String policy;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "frozen reference model; default: the policy's starting weights [model.reference]")
    String reference;

    @Option(names = "--device", description = "cpu, gpu or gpu:N; default auto [model.device]")
    String device;

    @Option(names = "--precision", description = "fp32, tf32 or fp16 [model.precision]")
    String precision;

    @Option(names = "--data", paramLabel = "FILE",
            description = "preference pairs, JSONL/JSON/Parquet [data.training_file]")
    String data;

    @Option(names = "--validation-data", paramLabel = "FILE",
            description = "held-out pairs for eval_ metrics [data.validation_file]")
    String validationData;

    @Option(names = "--validation-split", description = "fraction held out when no validation file is given "
            + "[data.validation_split]")
    Double validationSplit;

    @Option(names = "--format", description = "auto, openai, trl-standard, trl-conversational, trl-implicit, orca, "
            + "ultrafeedback; SFT rows: messages, prompt-completion [data.format]")
    String format;

    @Option(names = "--output", paramLabel = "DIR", description = "directory for checkpoint-N/ and final/; "
            + "default: the working directory [output.output_dir]")
    String output;

    @Option(names = "--method", description = "sft or dpo (default): SFT trains on the completions only "
            + "[training.method]")
    String method;

    @Option(names = "--sft-warmup-epochs", description = "DPO after an SFT stage of this many epochs on the "
            + "preferred answers [training.sft_warmup.epochs]")
    Integer sftWarmupEpochs;

    @Option(names = "--sft-warmup-steps", description = "DPO after an SFT stage of this many optimizer steps on "
            + "the preferred answers [training.sft_warmup.steps]")
    Long sftWarmupSteps;

    @Option(names = "--loss", split = ",", description = "loss types, comma-separated, e.g. sigmoid,sft for RPO "
            + "[training.loss_types]")
    List<String> losses;

    @Option(names = "--loss-weights", split = ",", description = "one weight per loss [training.loss_weights]")
    List<Double> lossWeights;

    @Option(names = "--beta", description = "implicit reward temperature [training.beta]")
    Double beta;

    @Option(names = "--label-smoothing", description = "label-flip probability [training.label_smoothing]")
    Double labelSmoothing;

    @Option(names = "--simpo-gamma", description = "SimPO target margin [training.simpo_gamma]")
    Double simpoGamma;

    @Option(names = "--discopop-tau", description = "DiscoPOP temperature [training.discopop_tau]")
    Double discopopTau;

    @Option(names = "--ld-alpha", description = "LD-DPO weight of tokens past the shared length [training.ld_alpha]")
    Double ldAlpha;

    @Option(names = "--use-weighting", description = "WPO weighting of pairs [training.use_weighting]")
    Boolean useWeighting;

    @Option(names = "--lr", description = "peak AdamW learning rate [training.learning_rate]")
    Double learningRate;

    @Option(names = "--scheduler", description = "constant, linear or cosine [training.lr_scheduler]")
    String scheduler;

    @Option(names = "--warmup-steps", description = "linear warmup steps [training.warmup_steps]")
    Long warmupSteps;

    @Option(names = "--warmup-ratio", description = "warmup as a fraction of all steps [training.warmup_ratio]")
    Double warmupRatio;

    @Option(names = "--weight-decay", description = "AdamW weight decay [training.weight_decay]")
    Double weightDecay;

    @Option(names = "--max-grad-norm", description = "global gradient-norm clip, 0 = off [training.max_grad_norm]")
    Double maxGradNorm;

    @Option(names = "--epochs", description = "passes over the data [training.epochs]")
    Integer epochs;

    @Option(names = "--max-steps", description = "optimizer steps; overrides --epochs when > 0 "
            + "[training.max_steps]")
    Long maxSteps;

    @Option(names = "--batch-size", description = "pairs per micro-batch [training.batch_size]")
    Integer batchSize;

    @Option(names = "--grad-accum", description = "micro-batches per optimizer step "
            + "[training.gradient_accumulation_steps]")
    Integer gradAccum;

    @Option(names = "--reference-batch-size", description = "sequences per reference forward pass "
            + "[training.reference_batch_size]")
    Integer referenceBatchSize;

    @Option(names = "--max-length", description = "tokens of prompt + completion kept [training.max_length]")
    Integer maxLength;

    @Option(names = "--max-prompt-length", description = "prompt tokens kept [training.max_prompt_length]")
    Integer maxPromptLength;

    @Option(names = "--seed", description = "data order and torch seed [training.seed]")
    Long seed;

    @Option(names = "--adapter", paramLabel = "DIR", description = "train a LoRA adapter: continue this PEFT "
            + "adapter (its adapter_config.json sets r, alpha, targets) [training.lora.adapter]")
    String adapter;

    @Option(names = "--lora-r", description = "train a new LoRA adapter of this rank; default 8 [training.lora.r]")
    Integer loraR;

    @Option(names = "--lora-alpha", description = "LoRA scale numerator; default 8 [training.lora.lora_alpha]")
    Double loraAlpha;

    @Option(names = "--lora-dropout", description = "dropout on the adapter's input [training.lora.lora_dropout]")
    Double loraDropout;

    @Option(names = "--lora-target-modules", split = ",", description = "modules that get an adapter, e.g. "
            + "q_proj,v_proj (default) or all-linear [training.lora.target_modules]")
    List<String> loraTargetModules;

    @Option(names = "--use-rslora", description = "scale by alpha/sqrt(r) [training.lora.use_rslora]")
    Boolean useRslora;

    @Option(names = "--merge-at-end", description = "also write OUTPUT/final-merged, base + adapter "
            + "[training.lora.merge_at_end]")
    Boolean mergeAtEnd;

    @Option(names = "--gradient-checkpointing", description = "recompute each decoder layer in backward instead of "
            + "keeping its activations [training.gradient_checkpointing]")
    Boolean gradientCheckpointing;

    @Option(names = "--save-steps", description = "checkpoint every N steps, 0 = only at the end "
            + "[output.checkpoint_interval]")
    Long saveSteps;

    @Option(names = "--save-total-limit", description = "keep the newest N checkpoints, 0 = all "
            + "[output.save_total_limit]")
    Integer saveTotalLimit;

    @Option(names = "--logging-steps", description = "report metrics every N steps [output.log_interval]")
    Long loggingSteps;

    @Option(names = "--eval-steps", description = "evaluate every N steps, 0 = only at the end "
            + "[output.eval_interval]")
    Long evalSteps;

    @Option(names = "--save-dtype", description = "f32, f16 or bf16; default the policy's [output.save_dtype]")
    String saveDtype;

    @Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "CHECKPOINT",
            description = "continue from a checkpoint dir (no value: the newest checkpoint-N in the output dir); "
                    + "a finished run continues when --epochs or --max-steps is raised "
                    + "[output.resume_from_checkpoint]")
    String resume;

    /**
     * The config file, then {@code --set}, then the flags; paths made absolute against the working directory,
     * where the user wrote them, and {@code --resume} without a value resolved to the newest checkpoint in the
     * output dir (named on {@code err}).
     */
    RunConfig read(PrintWriter err) throws InvalidConfigException, IOException {
        List<String> fields = new ArrayList<>(overrides);
        fields.addAll(flagOverrides());
        RunConfigReader reader = new RunConfigReader();
        RunConfig parsed = config == null ? reader.fromOverrides(fields) : reader.read(config, fields);
        if (parsed.getOutput().getOutputDir().isEmpty()) {
            // as a command runs where it is started, a run without --output writes there (final/ beside the user)
            parsed = parsed.toBuilder().setOutput(parsed.getOutput().toBuilder().setOutputDir(".")).build();
        }
        RunConfig read = ClientPaths.absolute(parsed);
        if (resume == null || !resume.isEmpty()) {
            return read;
        }
        Path outputDir = Path.of(read.getOutput().getOutputDir());
        Path newest = Checkpoints.latest(outputDir).orElseThrow(() -> new InvalidConfigException(
                "output.resume_from_checkpoint", "--resume without a value continues the newest checkpoint-N in "
                + "the output dir, and " + outputDir + " holds none"));
        err.println("jdpo: resuming from " + newest);
        err.flush();
        return read.toBuilder().setOutput(read.getOutput().toBuilder().setResumeFromCheckpoint(newest.toString()))
                .build();
    }

    /**
     * The flags as {@code field.path=value} overrides: each sets the config field its help names in brackets; a flag
     * given without its optional value ({@code --resume}) sets none.
     */
    private List<String> flagOverrides() {
        List<String> fields = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            Matcher field = FIELD.matcher(String.join(" ", option.description()));
            Object value = option.getValue();
            boolean withoutValue = option.arity().min() == 0 && option.fallbackValue().equals(value);
            if (field.find() && value != null && !withoutValue) {
                fields.add(field.group(1) + "=" + JSON.toJson(value));
            }
        }
        return fields;
    }
}
