package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo submit}: sends a run config to the orchestrator and prints the new run's id. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submit a DPO run to a running orchestrator, from a YAML/JSON config, --set overrides and "
                + "flags.", "Every flag sets the config field named in brackets "
                + "(proto/src/main/proto/jdpo/v1/config.proto); paths are made absolute here, and read on the "
                + "orchestrator's machine."})
final class SubmitCommand extends OrchestratorCommand {

    @Mixin
    RunConfigOptions configOptions;

    @Option(names = "--watch", description = "Follow the run until it ends, with the progress bar of train.")
    boolean watch;

    @Override
    int call(ManagedChannel channel) throws Exception {
        RunConfig request = configOptions.read(spec.commandLine().getErr());
        Run run = runs(channel).createRun(CreateRunRequest.newBuilder().setConfig(request).build());
        answer(run.getId());
        return watch ? new RunFollower(out(), spec.commandLine().getErr(), false).follow(channel, run.getId(), 0) : 0;
    }
}
