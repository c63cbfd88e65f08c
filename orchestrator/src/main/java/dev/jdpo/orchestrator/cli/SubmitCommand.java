package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import io.grpc.ManagedChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo submit}: sends a run config to the orchestrator and prints the new run's id. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submit a DPO run to a running orchestrator, from a YAML/JSON config, --set overrides and "
                + "flags.", "Every flag sets the config field named in brackets "
                + "(proto/src/main/proto/jdpo/v1/config.proto); paths are made absolute here, and read on the "
                + "orchestrator's machine."})
final class SubmitCommand implements Callable<Integer> {

    @Mixin
    ServerAddress server;

    @Mixin
    RunConfigOptions configOptions;

    @Option(names = "--watch", description = "Follow the run until it ends, with the progress bar of train.")
    boolean watch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunConfig request = configOptions.read(spec.commandLine().getErr());
        ManagedChannel channel = server.open();
        try {
            Run run = server.stub(channel).createRun(CreateRunRequest.newBuilder().setConfig(request).build());
            spec.commandLine().getOut().println(run.getId());
            spec.commandLine().getOut().flush();
            if (!watch) {
                return 0;
            }
            return new RunFollower(server, spec.commandLine().getOut(), spec.commandLine().getErr(), false)
                    .follow(channel, run.getId(), 0);
        } finally {
            ServerAddress.close(channel);
        }
    }
}
