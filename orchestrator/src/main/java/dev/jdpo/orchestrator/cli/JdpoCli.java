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
                ReportCommand.class,
                FeedbackCommand.class,
                DemoCommand.class,
                PairsCommand.class,
                ContinualCommand.class,
        })
public final class JdpoCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    // read by ProcessSetup from the parse result, at whichever command level it was given
    @CommandLine.Option(names = LogLevel.OPTION, paramLabel = "LEVEL", scope = CommandLine.ScopeType.INHERIT,
            converter = LogLevel.Converter.class,
            description = "error, warn, info (default), debug or trace, for jdpo's own logs; libraries log warnings "
                    + "and errors only (env JDPO_LOG_LEVEL)")
    LogLevel logLevel;

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
        cli.setExecutionStrategy(new ProcessSetup());
        return cli;
    }
}
