package dev.jdpo.orchestrator.cli;

import picocli.CommandLine;

/** Prints a failed command's message, not its stack trace; {@code JDPO_DEBUG=1} adds the trace. */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {

    static final int EXIT_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cli.getErr().println("jdpo: " + message);
        if (System.getenv("JDPO_DEBUG") != null) {
            ex.printStackTrace(cli.getErr());
        }
        return EXIT_FAILURE;
    }
}
