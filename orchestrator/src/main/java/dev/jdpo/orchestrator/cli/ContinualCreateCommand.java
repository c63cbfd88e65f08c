package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.CreateContinualJobRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo continual create}: sends a continual job's config and prints the new job's id. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a continual DPO job from a YAML/JSON config (a jdpo.v1.ContinualJobConfig: task, "
                + "run_template, trigger, reference, pairs, gate, max_rounds) and --set overrides.",
                "Paths are made absolute here, and read on the orchestrator's machine."})
final class ContinualCreateCommand implements Callable<Integer> {

    @Mixin
    ServerAddress server;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The job's config.")
    Path config;

    @Option(names = "--set", paramLabel = "FIELD=VALUE",
            description = "Override a config field, e.g. --set trigger.every_pairs=100 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--watch", description = "Follow the job's events until it ends.")
    boolean watch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ContinualJobConfig read = new RunConfigReader().read(config, overrides, ContinualJobConfig.newBuilder())
                .build();
        ContinualJobConfig.Builder absolute = read.toBuilder().setRunTemplate(ClientPaths.absolute(read.getRunTemplate()));
        absolute.getGateBuilder().setPromptsFile(ClientPaths.absolute(read.getGate().getPromptsFile()));
        if (read.getPairs().hasSampled()) {
            absolute.getPairsBuilder().getSampledBuilder()
                    .setPromptsFile(ClientPaths.absolute(read.getPairs().getSampled().getPromptsFile()))
                    .setCriteriaFile(ClientPaths.absolute(read.getPairs().getSampled().getCriteriaFile()));
        }
        ManagedChannel channel = server.open();
        try {
            ContinualJob job = ContinualCommand.stub(channel).createContinualJob(CreateContinualJobRequest.newBuilder()
                    .setConfig(absolute).build());
            spec.commandLine().getOut().println(job.getId());
            spec.commandLine().getOut().flush();
            if (!watch) {
                return 0;
            }
            return ContinualWatchCommand.follow(channel, job.getId(), 0, spec.commandLine().getOut());
        } finally {
            ServerAddress.close(channel);
        }
    }
}
