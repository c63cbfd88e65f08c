package dev.jdpo.orchestrator.cli;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.StorageDType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdpo merge}: folds a PEFT LoRA adapter into its base ({@code W + s·B·A}) and writes a full Hugging Face
 * checkpoint with the base's config, generation config and tokenizer files.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge a LoRA adapter into its base model and write a Hugging Face model directory.")
public final class MergeCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "the base model (Hugging Face directory)")
    Path model;

    @Option(names = "--adapter", required = true, description = "PEFT LoRA adapter directory")
    Path adapter;

    @Option(names = "--out", required = true, description = "output directory (new or empty)")
    Path out;

    @Option(names = "--dtype", description = "f32, f16 or bf16 (default: the base checkpoint's dtype)")
    String dtype;

    @Override
    public Integer call() throws Exception {
        StorageDType saveDtype = dtype == null ? null : parseDtype(dtype);
        refuseNonEmpty(out);
        try (CausalLM merged = CausalLM.load(model, adapter, LoadOptions.cpu())) {
            merged.mergeAdapter();
            merged.save(out, new SaveOptions(saveDtype, SaveOptions.DEFAULT_MAX_SHARD_BYTES));
        }
        spec.commandLine().getOut().println("merged " + adapter + " into " + model + ": " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private StorageDType parseDtype(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "f32" -> StorageDType.F32;
            case "f16" -> StorageDType.F16;
            case "bf16" -> StorageDType.BF16;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dtype must be f32, f16 or bf16, got " + (value.length() > 20 ? value.substring(0, 20) + "..."
                            : value));
        };
    }

    /** A merged checkpoint never overwrites files: not the base's, the adapter's, or an earlier merge's. */
    private void refuseNonEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + dir + " is a file");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--out " + dir
                        + " is not empty; give a new directory");
            }
        }
    }
}
