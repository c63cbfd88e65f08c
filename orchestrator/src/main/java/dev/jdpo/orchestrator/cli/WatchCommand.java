package dev.jdpo.orchestrator.cli;

import io.grpc.ManagedChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jdpo watch}: follows a run's events to its end. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Show a run's events until it ends (a progress bar on a terminal); exit 0 if it succeeded.")
final class WatchCommand implements Callable<Integer> {

    @Mixin
    ServerAddress server;

    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--after", paramLabel = "SEQUENCE", defaultValue = "0",
            description = "Only events after this sequence number (resume point).")
    long after;

    @Option(names = "--json", description = "One JSON object per event and nothing else on standard output.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ManagedChannel channel = server.open();
        try {
            return new RunFollower(server, spec.commandLine().getOut(), spec.commandLine().getErr(), json)
                    .follow(channel, runId, after);
        } finally {
            ServerAddress.close(channel);
        }
    }
}
