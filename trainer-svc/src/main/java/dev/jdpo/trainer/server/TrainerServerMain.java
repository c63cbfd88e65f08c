package dev.jdpo.trainer.server;

import dev.jdpo.host.ListenOptions;
import dev.jdpo.host.ServiceMains;
import dev.jdpo.host.security.ReadRootsOptions;
import dev.jdpo.host.security.WriteRootsOptions;
import dev.jdpo.trainer.grpc.JobPaths;
import dev.jdpo.trainer.grpc.SequenceLimit;
import dev.jdpo.trainer.grpc.TrainerServiceEndpoint;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A stand-alone trainer process ({@code jdpo serve trainer [--host H] [--port N]}), in the shape of
 * {@link ServiceMains}. Prints {@code jdpo trainer listening on H:N} once it serves; on SIGTERM a running job stops
 * at its next step boundary with a checkpoint.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Train DPO jobs sent over gRPC (jdpo.internal.v1.TrainerService), one at a time.")
public final class TrainerServerMain implements Callable<Integer> {

    /** The line a launcher waits for; host:port follows it. */
    public static final String READY_LINE = ServiceMains.readyLine("trainer");

    @Option(names = "--port", defaultValue = "50054", description = ServiceMains.PORT_DESCRIPTION)
    int port;

    @Mixin
    ListenOptions listen;

    @Option(names = "--shutdown-wait", defaultValue = "600",
            description = "Seconds a shutdown waits for a running job to write its checkpoint (default: ${DEFAULT-VALUE}).")
    long shutdownWaitSeconds;

    @Option(names = "--max-sequence-length", defaultValue = "8192", description = "Most tokens of one sequence "
            + "(prompt + completion); longer pairs are refused with INVALID_ARGUMENT (default: ${DEFAULT-VALUE}).")
    int maxSequenceLength;

    @Mixin
    ReadRootsOptions readRoots;

    @Mixin
    WriteRootsOptions writeRoots;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with errors printed as one line, without a stack trace. */
    public static CommandLine commandLine() {
        return ServiceMains.commandLine(new TrainerServerMain());
    }

    @Override
    public Integer call() throws InterruptedException {
        TrainerServer server = TrainerServer.start(listen.settings(port), new TrainerServiceEndpoint(
                shutdownWaitSeconds, new JobPaths(readRoots.roots(), writeRoots.roots()),
                new SequenceLimit(maxSequenceLength)));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "trainer-server-shutdown"));
        listen.announce(server.port());
        server.awaitTermination();
        return 0;
    }
}
