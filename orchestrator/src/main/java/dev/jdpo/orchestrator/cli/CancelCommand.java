package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.Run;
import io.grpc.ManagedChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jdpo cancel}: stops a run at its next step boundary, keeping its checkpoints. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a run; it stops at its next step boundary and keeps its checkpoints.")
final class CancelCommand implements Callable<Integer> {

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
            Run run = server.stub(channel).cancelRun(CancelRunRequest.newBuilder().setRunId(runId).build());
            String state = RunStatuses.shortName(run.getStatus());
            spec.commandLine().getOut().println("run " + run.getId() + " " + state + " at step " + run.getStep()
                    + (RunStatuses.isTerminal(run.getStatus()) ? "" : " (stopping at the next step boundary)"));
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            ServerAddress.close(channel);
        }
    }
}
