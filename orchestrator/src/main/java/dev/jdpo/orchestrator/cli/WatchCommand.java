package dev.jdpo.orchestrator.cli;

import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jdpo watch}: follows a run's events to its end. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Show a run's events until it ends (a progress bar on a terminal); exit 0 if it succeeded.")
final class WatchCommand extends OrchestratorCommand {

    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--after", paramLabel = "SEQUENCE", defaultValue = "0",
            description = "Only events after this sequence number (resume point).")
    long after;

    @Option(names = "--json", description = "One JSON object per event and nothing else on standard output.")
    boolean json;

    @Override
    int call(ManagedChannel channel) throws InterruptedException {
        return new RunFollower(out(), spec.commandLine().getErr(), json).follow(channel, runId, after);
    }
}
