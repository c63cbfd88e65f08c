package dev.jdpo.host;

import picocli.CommandLine;

/**
 * The shape the stand-alone service mains share ({@code jdpo serve tokenizer|reference|trainer}): the same flags
 * ({@code --host} and the TLS flags of {@link ListenOptions}, {@code --port}), loopback as the default host, one
 * ready line and one-line errors.
 */
public final class ServiceMains {

    /** Loopback: a service listens on other interfaces only when told to ({@code --host 0.0.0.0}). */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String PORT_DESCRIPTION = "gRPC port; 0 picks a free one (default ${DEFAULT-VALUE}).";

    private ServiceMains() { }

    /** {@code jdpo <service> listening on }, which host:port follows once the service serves. */
    public static String readyLine(String service) {
        return "jdpo " + service + " listening on ";
    }

    /** {@code command}'s command line, with errors printed as {@code jdpo serve <service>: message}, no stack trace. */
    public static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("jdpo serve " + c.getCommandName() + ": "
                    + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cli;
    }
}
