package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.Run;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jdpo cancel}: stops a run at its next step boundary, keeping its checkpoints. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a run; it stops at its next step boundary and keeps its checkpoints.")
final class CancelCommand extends OrchestratorCommand {

    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Override
    int call(ManagedChannel channel) {
        Run run = runs(channel).cancelRun(CancelRunRequest.newBuilder().setRunId(runId).build());
        return answer("run " + run.getId() + " " + RunStatuses.shortName(run.getStatus()) + " at step " + run.getStep()
                + (RunStatuses.isTerminal(run.getStatus()) ? "" : " (stopping at the next step boundary)"));
    }
}
