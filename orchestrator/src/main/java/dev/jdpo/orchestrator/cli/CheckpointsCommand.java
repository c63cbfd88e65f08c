package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import io.grpc.ManagedChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jdpo checkpoints}: a run's resumable checkpoints, oldest first, with the metrics at each. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "List a run's checkpoints: step, directory and the metrics at that step.")
final class CheckpointsCommand implements Callable<Integer> {

    @Mixin
    ServerAddress server;

    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ManagedChannel channel = server.open();
        try {
            for (Checkpoint checkpoint : server.stub(channel)
                    .listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(runId).build()).getCheckpointsList()) {
                spec.commandLine().getOut().println("step " + checkpoint.getStep() + "\t" + checkpoint.getPath() + "\t"
                        + EventPrinter.values(checkpoint.getMetricsMap()).strip());
            }
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            ServerAddress.close(channel);
        }
    }
}
