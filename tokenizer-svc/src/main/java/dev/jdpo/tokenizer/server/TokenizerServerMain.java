package dev.jdpo.tokenizer.server;

import dev.jdpo.host.HostSettings;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.host.security.ReadRootsOptions;
import dev.jdpo.host.security.ServerTlsOptions;
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
 * A stand-alone tokenizer: {@code TokenizerServerMain --port N [--host H]} serves jdpo.internal.v1.TokenizerService
 * with the standard health service and server reflection (a {@link ServiceHost}). Prints
 * {@code jdpo tokenizer listening on H:N} once it serves, and stops cleanly on SIGTERM.
 */
@Command(name = "tokenizer-server", mixinStandardHelpOptions = true,
        description = "Serve tokenization and data validation (jdpo.internal.v1.TokenizerService).")
public final class TokenizerServerMain implements Callable<Integer> {

    /** The line a launcher waits for; host:port follows it. */
    public static final String READY_LINE = "jdpo tokenizer listening on ";

    @Option(names = "--port", defaultValue = "50052", description = "gRPC port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Mixin
    ServerTlsOptions tls;

    @Mixin
    ReadRootsOptions readRoots;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // a server that failed to start has run no call: its pool drains at once
    private static final Duration DRAIN = Duration.ofSeconds(10);

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with errors printed as one line, without a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TokenizerServerMain());
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("tokenizer-server: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cli;
    }

    @Override
    public Integer call() throws InterruptedException {
        HostSettings settings = HostSettings.on(host, port).withTls(tls.settings());
        ExecutorService work = Executors.newCachedThreadPool();
        TokenizerRegistry tokenizers = new TokenizerRegistry();
        ServiceHost server;
        try {
            server = ServiceHost.start(settings, new TokenizerGrpcService(tokenizers, work, readRoots.roots()));
        } catch (RuntimeException e) {
            tokenizers.closeAfter(work, DRAIN);
            throw e;
        }
        // The tokenizers are not freed at exit: the process ends, and TokenizeRows encodes on the server's own
        // threads, so no drain of the work pool could prove they are idle.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            work.shutdownNow();
        }, "tokenizer-server-shutdown"));
        spec.commandLine().getOut().println(READY_LINE + host + ":" + server.port());
        spec.commandLine().getOut().flush();
        server.awaitTermination();
        return 0;
    }
}
