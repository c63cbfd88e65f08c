package dev.jdpo.orchestrator.cli;

import dev.jdpo.host.ListenOptions;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.reference.server.ReferenceServerMain;
import dev.jdpo.tokenizer.server.TokenizerServerMain;
import dev.jdpo.trainer.server.TrainerServerMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo serve}: runs a jdpo service until it is stopped (Ctrl-C or SIGTERM). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run a jdpo gRPC service: orchestrator, tokenizer, reference or trainer.",
        subcommands = ServeCommand.Orchestrator.class, modelTransformer = ServeCommand.ServiceMounts.class)
final class ServeCommand extends CommandGroup {

    @CommandLine.Mixin
    MetricsPortOption metricsPort;

    /**
     * Mounts the stand-alone commands of the service modules, each on Micronaut's gRPC server through
     * service-host: {@code jdpo serve tokenizer|reference|trainer}.
     */
    static final class ServiceMounts implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec serve) {
            return serve.addSubcommand("tokenizer", TokenizerServerMain.commandLine())
                    .addSubcommand("reference", ReferenceServerMain.commandLine())
                    .addSubcommand("trainer", TrainerServerMain.commandLine());
        }
    }

    /** {@code jdpo serve orchestrator}: RunService with health and reflection, run state, and the pipeline. */
    @Command(name = "orchestrator", mixinStandardHelpOptions = true,
            description = "Serve the public RunService (plus gRPC health and reflection).")
    static final class Orchestrator implements Callable<Integer> {

        @Option(names = "--port", defaultValue = "50051", description = "gRPC port (default ${DEFAULT-VALUE}).")
        int port;

        @CommandLine.Mixin
        ListenOptions listen;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "H2 run-state directory (default ~/.jdpo/state).")
        Path stateDir;

        @Option(names = "--database-url", paramLabel = "JDBC_URL",
                description = "Run state in another database, e.g. jdbc:postgresql://host/jdpo (user/password from "
                        + "JDPO_DATABASE_USER / JDPO_DATABASE_PASSWORD).")
        String databaseUrl;

        @Option(names = "--allowed-root", paramLabel = "DIR",
                description = "A directory runs may read and write (repeatable; default: working directory and home).")
        List<Path> allowedRoots = new ArrayList<>();

        @CommandLine.Mixin
        OrchestratorSecurityOptions security;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, Object> properties = new HashMap<>();
            properties.put("grpc.server.port", port);
            properties.put("grpc.server.host", listen.host());
            if (stateDir != null) {
                properties.put("jdpo.state-dir", stateDir.toAbsolutePath().toString());
            }
            if (databaseUrl != null) {
                properties.put("jdpo.database-url", databaseUrl);
            }
            if (!allowedRoots.isEmpty()) {
                properties.put("jdpo.allowed-roots", allowedRoots.stream().map(p -> p.toAbsolutePath().toString()).toList());
            }
            security.addTo(properties, listen.tls());
            OrchestratorServer server = OrchestratorServer.start(properties, List.of(), true);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "jdpo-shutdown"));
            listen.announce(server.port());
            stopped.await();
            return 0;
        }
    }
}
