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
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A run config from the command line: a YAML/JSON file, {@code --set field=value} overrides, and TRL-style flags
 * that each set one config field (named in brackets in the help). Flags win over {@code --set}, which wins over
 * the file, and every value goes through the same binder and validator as a config file or a gRPC request.
 */
@Command(modelTransformer = RunConfigOptions.FieldFlags.class)
final class RunConfigOptions {

    private static final Gson JSON = new Gson();

    // the command this mixin is part of, where the field flags are found with their parsed values
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "run config, YAML or JSON (see examples/)")
    Path config;

    @Option(names = "--set", paramLabel = "FIELD=VALUE",
            description = "override a config field, e.g. --set training.beta=0.2 (repeatable)")
    List<String> overrides = new ArrayList<>();

    /** The flags that each set one config field, in the order of the help. */
    private static final List<FieldFlag> FLAGS = List.of(
            flag("--name", String.class, "name", "label shown by `jdpo list`"),
            labelled("--policy", "DIR", "model.policy", "HF model directory to train"),
            labelled("--reference", "DIR", "model.reference", "frozen reference model; default: the policy's "
                    + "starting weights"),
            flag("--device", String.class, "model.device", "cpu, gpu or gpu:N; default auto"),
            flag("--precision", String.class, "model.precision", "fp32, tf32 or fp16"),
            labelled("--data", "FILE", "data.training_file", "preference pairs, JSONL/JSON/Parquet"),
            labelled("--validation-data", "FILE", "data.validation_file", "held-out pairs for eval_ metrics"),
            flag("--validation-split", Double.class, "data.validation_split", "fraction held out when no "
                    + "validation file is given"),
            flag("--format", String.class, "data.format", "auto, openai, trl-standard, trl-conversational, "
                    + "trl-implicit, orca, ultrafeedback; SFT rows: messages, prompt-completion"),
            labelled("--output", "DIR", "output.output_dir", "directory for checkpoint-N/ and final/; default: the "
                    + "working directory"),
            flag("--method", String.class, "training.method", "sft or dpo (default): SFT trains on the completions "
                    + "only"),
            flag("--sft-warmup-epochs", Integer.class, "training.sft_warmup.epochs", "DPO after an SFT stage of "
                    + "this many epochs on the preferred answers"),
            flag("--sft-warmup-steps", Long.class, "training.sft_warmup.steps", "DPO after an SFT stage of this "
                    + "many optimizer steps on the preferred answers"),
            list("--loss", String.class, "training.loss_types", "loss types, comma-separated, e.g. sigmoid,sft for "
                    + "RPO"),
            list("--loss-weights", Double.class, "training.loss_weights", "one weight per loss"),
            flag("--beta", Double.class, "training.beta", "implicit reward temperature"),
            flag("--label-smoothing", Double.class, "training.label_smoothing", "label-flip probability"),
            flag("--simpo-gamma", Double.class, "training.simpo_gamma", "SimPO target margin"),
            flag("--discopop-tau", Double.class, "training.discopop_tau", "DiscoPOP temperature"),
            flag("--ld-alpha", Double.class, "training.ld_alpha", "LD-DPO weight of tokens past the shared length"),
            flag("--use-weighting", Boolean.class, "training.use_weighting", "WPO weighting of pairs"),
            flag("--lr", Double.class, "training.learning_rate", "peak AdamW learning rate"),
            flag("--scheduler", String.class, "training.lr_scheduler", "constant, linear or cosine"),
            flag("--warmup-steps", Long.class, "training.warmup_steps", "linear warmup steps"),
            flag("--warmup-ratio", Double.class, "training.warmup_ratio", "warmup as a fraction of all steps"),
            flag("--weight-decay", Double.class, "training.weight_decay", "AdamW weight decay"),
            flag("--max-grad-norm", Double.class, "training.max_grad_norm", "global gradient-norm clip, 0 = off"),
            flag("--epochs", Integer.class, "training.epochs", "passes over the data"),
            flag("--max-steps", Long.class, "training.max_steps", "optimizer steps; overrides --epochs when > 0"),
            flag("--batch-size", Integer.class, "training.batch_size", "pairs per micro-batch"),
            flag("--grad-accum", Integer.class, "training.gradient_accumulation_steps", "micro-batches per "
                    + "optimizer step"),
            flag("--reference-batch-size", Integer.class, "training.reference_batch_size", "sequences per "
                    + "reference forward pass"),
            flag("--max-length", Integer.class, "training.max_length", "tokens of prompt + completion kept"),
            flag("--max-prompt-length", Integer.class, "training.max_prompt_length", "prompt tokens kept"),
            flag("--seed", Long.class, "training.seed", "data order and torch seed"),
            labelled("--adapter", "DIR", "training.lora.adapter", "train a LoRA adapter: continue this PEFT "
                    + "adapter (its adapter_config.json sets r, alpha, targets)"),
            flag("--lora-r", Integer.class, "training.lora.r", "train a new LoRA adapter of this rank; default 8"),
            flag("--lora-alpha", Double.class, "training.lora.lora_alpha", "LoRA scale numerator; default 8"),
            flag("--lora-dropout", Double.class, "training.lora.lora_dropout", "dropout on the adapter's input"),
            list("--lora-target-modules", String.class, "training.lora.target_modules", "modules that get an "
                    + "adapter, e.g. q_proj,v_proj (default) or all-linear"),
            flag("--use-rslora", Boolean.class, "training.lora.use_rslora", "scale by alpha/sqrt(r)"),
            flag("--merge-at-end", Boolean.class, "training.lora.merge_at_end", "also write OUTPUT/final-merged, "
                    + "base + adapter"),
            flag("--gradient-checkpointing", Boolean.class, "training.gradient_checkpointing", "recompute each "
                    + "decoder layer in backward instead of keeping its activations"),
            flag("--save-steps", Long.class, "output.checkpoint_interval", "checkpoint every N steps, 0 = only at "
                    + "the end"),
            flag("--save-total-limit", Integer.class, "output.save_total_limit", "keep the newest N checkpoints, 0 "
                    + "= all"),
            flag("--logging-steps", Long.class, "output.log_interval", "report metrics every N steps"),
            flag("--eval-steps", Long.class, "output.eval_interval", "evaluate every N steps, 0 = only at the end"),
            flag("--save-dtype", String.class, "output.save_dtype", "f32, f16 or bf16; default the policy's"),
            new FieldFlag("--resume", String.class, null, "CHECKPOINT", "output.resume_from_checkpoint",
                    "continue from a checkpoint dir (no value: the newest checkpoint-N in the output dir); a finished "
                    + "run continues when --epochs or --max-steps is raised", ""));

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
        if (!"".equals(spec.findOption("--resume").getValue())) {
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
     * The flags as {@code field.path=value} overrides; a flag given without its optional value ({@code --resume})
     * sets none.
     */
    private List<String> flagOverrides() {
        List<String> fields = new ArrayList<>();
        for (FieldFlag flag : FLAGS) {
            Object value = spec.findOption(flag.name()).getValue();
            if (value != null && !value.equals(flag.fallback())) {
                fields.add(flag.field() + "=" + JSON.toJson(value));
            }
        }
        return fields;
    }

    private static FieldFlag flag(String name, Class<?> type, String field, String help) {
        return new FieldFlag(name, type, null, null, field, help, null);
    }

    private static FieldFlag labelled(String name, String label, String field, String help) {
        return new FieldFlag(name, String.class, null, label, field, help, null);
    }

    private static FieldFlag list(String name, Class<?> element, String field, String help) {
        return new FieldFlag(name, List.class, element, null, field, help, null);
    }

    /**
     * A flag that sets config {@code field}; its help names the field in brackets. {@code element} is a list's item
     * type (comma-separated values), {@code label} the value's name in the help (default: the flag's name), and
     * {@code fallback} the value of the flag given without one ({@code null}: a value is required).
     */
    record FieldFlag(String name, Class<?> type, Class<?> element, String label, String field, String help,
                     String fallback) {

        OptionSpec option() {
            OptionSpec.Builder option = OptionSpec.builder(name).type(type).description(help + " [" + field + "]")
                    .paramLabel(label != null ? label : "<" + name.substring(2) + ">");
            if (element != null) {
                option.auxiliaryTypes(element).splitRegex(",");
            }
            if (fallback != null) {
                option.arity("0..1").fallbackValue(fallback);
            }
            return option.build();
        }
    }

    /**
     * Adds {@link #FLAGS} to the options of the command this mixin joins: picocli applies a mixin's model
     * transformer to that command, after its own options (so the flags follow them in the help), and may apply it
     * again as a command line's tree is built; they are added once.
     */
    static final class FieldFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            if (spec.findOption(FLAGS.get(0).name()) == null) {
                FLAGS.forEach(flag -> spec.addOption(flag.option()));
            }
            return spec;
        }
    }
}
