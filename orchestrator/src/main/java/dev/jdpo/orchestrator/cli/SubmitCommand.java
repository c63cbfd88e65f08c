package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo submit}: sends a run config to the orchestrator and prints the new run's id. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a DPO run from a YAML/JSON config and --set overrides.")
final class SubmitCommand implements Callable<Integer> {

    @Mixin
    ServerAddress server;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Run config, YAML or JSON (see examples/).")
    Path config;

    @Option(names = "--set", paramLabel = "FIELD=VALUE",
            description = "Override a config field, e.g. --set training.beta=0.2 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--watch", description = "Follow the run's events until it ends.")
    boolean watch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunConfigReader reader = new RunConfigReader();
        RunConfig parsed = config == null ? reader.fromOverrides(overrides) : reader.read(config, overrides);
        RunConfig request = ClientPaths.absolute(parsed);
        ManagedChannel channel = server.open();
        try {
            Run run = server.stub(channel).createRun(CreateRunRequest.newBuilder().setConfig(request).build());
            spec.commandLine().getOut().println(run.getId());
            spec.commandLine().getOut().flush();
            return watch ? new RunFollower(server, spec.commandLine().getOut(), false).follow(channel, run.getId(), 0) : 0;
        } finally {
            ServerAddress.close(channel);
        }
    }
}
