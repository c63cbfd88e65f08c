package dev.jdpo.orchestrator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jdpo} command line: one subcommand per task. */
@Command(
        name = "jdpo",
        mixinStandardHelpOptions = true,
        version = "jdpo 0.1.0",
        description = "Direct Preference Optimization for Hugging Face causal LMs.",
        subcommands = {
                SubmitCommand.class,
                WatchCommand.class,
                ListCommand.class,
                CancelCommand.class,
                CheckpointsCommand.class,
                ServeCommand.class,
                ScoreCommand.class,
                MergeCommand.class,
                TrainCommand.class,
                CacheCommand.class,
                ValidateCommand.class,
                GenerateCommand.class,
                EvaluateCommand.class,
        })
public final class JdpoCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it without exiting the JVM. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new JdpoCli());
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        return cli;
    }
}
