package dev.jdpo.trainer.grpc;

import dev.jdpo.host.security.ReadRootsOptions;
import dev.jdpo.host.security.ServerTlsOptions;
import dev.jdpo.host.security.WriteRootsOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A stand-alone trainer process: {@code TrainerServerMain --port N}. Prints {@code trainer server listening on
 * port N} once it serves; on SIGTERM a running job stops at its next step boundary with a checkpoint.
 */
@Command(name = "trainer-server", mixinStandardHelpOptions = true,
        description = "Train DPO jobs sent over gRPC (jdpo.internal.v1.TrainerService), one at a time.")
public final class TrainerServerMain implements Callable<Integer> {

    /** The line a launcher waits for; the port follows it. */
    public static final String READY_LINE = "trainer server listening on port ";

    @Option(names = "--port", defaultValue = "50054",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--shutdown-wait", defaultValue = "600",
            description = "Seconds a shutdown waits for a running job to write its checkpoint (default: ${DEFAULT-VALUE}).")
    long shutdownWaitSeconds;

    @Mixin
    ServerTlsOptions tls;

    @Mixin
    ReadRootsOptions readRoots;

    @Mixin
    WriteRootsOptions writeRoots;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with errors printed as one line, without a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TrainerServerMain());
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("trainer-server: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cli;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port: must be in [0, 65535], got " + port);
        }
        TrainerServer server = TrainerServer.start(port, tls.settings(), new TrainerServiceEndpoint(shutdownWaitSeconds,
                new JobPaths(readRoots.roots(), writeRoots.roots())));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "trainer-server-shutdown"));
        System.out.println(READY_LINE + server.port());
        System.out.flush();
        server.awaitTermination();
        return 0;
    }
}
