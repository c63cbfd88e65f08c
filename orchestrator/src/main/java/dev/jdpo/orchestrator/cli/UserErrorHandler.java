package dev.jdpo.orchestrator.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;

/** Prints a failed command's message, not its stack trace; {@code JDPO_DEBUG=1} adds the trace. */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {

    static final int EXIT_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        cli.getErr().println("jdpo: " + message(ex));
        if (System.getenv("JDPO_DEBUG") != null) {
            ex.printStackTrace(cli.getErr());
        }
        return EXIT_FAILURE;
    }

    private static String message(Exception ex) {
        if (ex instanceof StatusRuntimeException rpc) {
            return rpcMessage(rpc.getStatus());
        }
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }

    /** The server's own description, prefixed with the gRPC code so scripts can tell failures apart. */
    private static String rpcMessage(Status status) {
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            return "the orchestrator is unreachable (UNAVAILABLE"
                    + (status.getDescription() == null ? "" : ": " + status.getDescription())
                    + "); is `jdpo serve orchestrator` running at --address?";
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "the orchestrator did not answer in time (DEADLINE_EXCEEDED)";
        }
        String description = status.getDescription() == null ? "" : ": " + status.getDescription();
        return status.getCode() + description;
    }
}
