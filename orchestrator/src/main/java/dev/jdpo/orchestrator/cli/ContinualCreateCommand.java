package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.CreateContinualJobRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo continual create}: sends a continual job's config and prints the new job's id. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a continual DPO job from a YAML/JSON config (a jdpo.v1.ContinualJobConfig: task, "
                + "run_template, trigger, reference, pairs, gate, max_rounds) and --set overrides.",
                "Paths are made absolute here, and read on the orchestrator's machine."})
final class ContinualCreateCommand extends OrchestratorCommand {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The job's config.")
    Path config;

    @Option(names = "--set", paramLabel = "FIELD=VALUE",
            description = "Override a config field, e.g. --set trigger.every_pairs=100 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--watch", description = "Follow the job's events until it ends.")
    boolean watch;

    @Override
    int call(ManagedChannel channel) throws Exception {
        ContinualJobConfig read = new RunConfigReader().read(config, overrides, ContinualJobConfig.newBuilder())
                .build();
        ContinualJobConfig.Builder absolute = read.toBuilder().setRunTemplate(ClientPaths.absolute(read.getRunTemplate()));
        absolute.getGateBuilder().setPromptsFile(ClientPaths.absolute(read.getGate().getPromptsFile()));
        if (read.getPairs().hasSampled()) {
            absolute.getPairsBuilder().getSampledBuilder()
                    .setPromptsFile(ClientPaths.absolute(read.getPairs().getSampled().getPromptsFile()))
                    .setCriteriaFile(ClientPaths.absolute(read.getPairs().getSampled().getCriteriaFile()));
        }
        ContinualJob job = jobs(channel).createContinualJob(CreateContinualJobRequest.newBuilder().setConfig(absolute)
                .build());
        answer(job.getId());
        return watch ? ContinualWatchCommand.follow(channel, job.getId(), 0, out()) : 0;
    }
}
