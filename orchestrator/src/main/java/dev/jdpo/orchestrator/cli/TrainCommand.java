package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.trainer.checkpoint.CheckpointException;
import dev.jdpo.trainer.checkpoint.TrainerState;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jdpo train} (alias {@code jdpo run}): one DPO run through an orchestrator embedded in this process, with a
 * live progress bar. The run is described by {@link RunConfigOptions}: a config file, overrides and flags.
 */
@Command(name = "train", aliases = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Align a Hugging Face causal LM with DPO (or another preference loss) in this process, "
                + "through an embedded orchestrator, with a live progress bar.",
                "Every flag sets the config field named in brackets (proto/src/main/proto/jdpo/v1/config.proto); "
                        + "unset fields take the defaults documented there."})
public final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin
    RunConfigOptions configOptions;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "run-state directory (default ~/.jdpo/state)")
    Path stateDir;

    @Option(names = "--metrics-out", paramLabel = "FILE",
            description = "JSONL file, one object per metrics report (training, eval_, reference/)")
    Path metricsOut;

    @Mixin
    MetricsPortOption metricsPort;

    @Override
    public Integer call() throws Exception {
        RunConfig request = configOptions.read(spec.commandLine().getErr());
        long resumedStep = request.getOutput().getResumeFromCheckpoint().isEmpty() ? 0
                : resumedStep(Path.of(request.getOutput().getResumeFromCheckpoint()));
        ProgressView progress = new ProgressView(spec.commandLine().getOut(), System.console() != null);
        RunSummary summary = new RunSummary();
        try (MetricsFile metrics = metricsOut == null ? null : new MetricsFile(metricsOut, resumedStep)) {
            Run run = EmbeddedRun.execute(request, stateDir, spec.commandLine().getErr(), event -> {
                progress.show(event);
                summary.record(event);
                if (metrics != null && event.hasMetrics()) {
                    metrics.write(event.getMetrics());
                }
            });
            summary.print(spec.commandLine().getOut(), run);
            return EmbeddedRun.succeeded(run) ? 0 : UserErrorHandler.EXIT_FAILURE;
        }
    }

    /** The step a resumed run starts after; 0 when the checkpoint is unreadable (the run then fails naming it). */
    private static long resumedStep(Path checkpoint) {
        try {
            return TrainerState.read(checkpoint).globalStep();
        } catch (CheckpointException unreadable) {
            return 0;
        }
    }
}
