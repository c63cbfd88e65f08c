package dev.jdpo.tokenizer.server;

import dev.jdpo.host.ListenOptions;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.host.ServiceMains;
import dev.jdpo.host.security.ReadRootsOptions;
import dev.jdpo.tokenizer.grpc.TokenizerGrpcService;
import dev.jdpo.tokenizer.grpc.TokenizerRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A stand-alone tokenizer ({@code jdpo serve tokenizer [--host H] [--port N]}): jdpo.internal.v1.TokenizerService
 * with the standard health service and server reflection (a {@link ServiceHost}), in the shape of
 * {@link ServiceMains}. Prints {@code jdpo tokenizer listening on H:N} once it serves, and stops cleanly on SIGTERM.
 */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Serve tokenization and data validation (jdpo.internal.v1.TokenizerService).")
public final class TokenizerServerMain implements Callable<Integer> {

    /** The line a launcher waits for; host:port follows it. */
    public static final String READY_LINE = ServiceMains.readyLine("tokenizer");

    @Option(names = "--port", defaultValue = "50052", description = ServiceMains.PORT_DESCRIPTION)
    int port;

    @Mixin
    ListenOptions listen;

    @Mixin
    ReadRootsOptions readRoots;

    // a server that failed to start has run no call: its pool drains at once
    private static final Duration DRAIN = Duration.ofSeconds(10);

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with errors printed as one line, without a stack trace. */
    public static CommandLine commandLine() {
        return ServiceMains.commandLine(new TokenizerServerMain());
    }

    @Override
    public Integer call() throws InterruptedException {
        ExecutorService work = Executors.newCachedThreadPool();
        TokenizerRegistry tokenizers = new TokenizerRegistry();
        ServiceHost server;
        try {
            server = ServiceHost.start(listen.settings(port),
                    new TokenizerGrpcService(tokenizers, work, readRoots.roots()));
        } catch (RuntimeException e) {
            tokenizers.closeAfter(work, DRAIN);
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            tokenizers.closeAfter(work, DRAIN);
        }, "tokenizer-server-shutdown"));
        listen.announce(server.port());
        server.awaitTermination();
        return 0;
    }
}
