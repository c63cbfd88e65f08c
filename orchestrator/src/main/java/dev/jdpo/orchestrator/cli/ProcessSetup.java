package dev.jdpo.orchestrator.cli;

import dev.jdpo.host.metrics.MetricsEndpoint;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Runs a parsed command after the process-wide settings its options name: the log level (before any logger
 * exists) and, with {@code --metrics-port}, the Prometheus endpoint, open while the command runs.
 */
final class ProcessSetup implements CommandLine.IExecutionStrategy {

    static final String METRICS_PORT = "--metrics-port";

    @Override
    public int execute(ParseResult parsed) {
        LogLevel level = fromEnvironment(parsed);
        Integer metricsPort = null;
        // inherited options may be given at any level of "jdpo serve tokenizer ..."; the last one given wins
        for (ParseResult command = parsed; command != null; command = command.subcommand()) {
            level = command.matchedOptionValue(LogLevel.OPTION, level);
            metricsPort = command.matchedOptionValue(METRICS_PORT, metricsPort);
        }
        level.apply();
        // what a bug report needs first; the logger exists only now that the level is set
        LoggerFactory.getLogger(ProcessSetup.class).debug("{} on Java {} ({}), {} {}, {} cores, max heap {} MiB",
                parsed.commandSpec().version()[0], Runtime.version(), System.getProperty("java.vendor"),
                System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        if (metricsPort == null) {
            return new CommandLine.RunLast().execute(parsed);
        }
        try (MetricsEndpoint metrics = start(parsed, metricsPort)) {
            PrintWriter err = parsed.commandSpec().commandLine().getErr();
            err.println("jdpo: metrics on http://localhost:" + metrics.port() + "/metrics");
            err.flush();
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    private static MetricsEndpoint start(ParseResult parsed, int port) {
        try {
            return MetricsEndpoint.start(port);
        } catch (RuntimeException failed) {
            throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), failed.getMessage(), failed);
        }
    }

    private static LogLevel fromEnvironment(ParseResult parsed) {
        try {
            return LogLevel.fromEnvironment(System.getenv(LogLevel.ENV));
        } catch (CommandLine.TypeConversionException invalid) {
            // reported as a one-line error like a failed command's, not with the usage a bad flag gets
            throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), invalid.getMessage(),
                    new IllegalArgumentException(invalid.getMessage()));
        }
    }
}
