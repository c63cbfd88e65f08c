package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jdpo checkpoints}: a run's resumable checkpoints, oldest first, with the metrics at each. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "List a run's checkpoints: step, directory and the metrics at that step.")
final class CheckpointsCommand extends OrchestratorCommand {

    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Override
    int call(ManagedChannel channel) {
        for (Checkpoint checkpoint : runs(channel)
                .listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(runId).build()).getCheckpointsList()) {
            out().println("step " + checkpoint.getStep() + "\t" + checkpoint.getPath() + "\t"
                    + EventPrinter.values(checkpoint.getMetricsMap()).strip());
        }
        out().flush();
        return 0;
    }
}
