package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.CancelContinualJobRequest;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import io.grpc.ManagedChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jdpo continual cancel}: stops a job; a round in progress has its run cancelled and is not promoted. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a continual job; a round in progress stops, unpromoted, and its pairs stay unconsumed.")
final class ContinualCancelCommand implements Callable<Integer> {

    @Mixin
    ServerAddress server;

    @Parameters(paramLabel = "JOB_ID")
    String jobId;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ManagedChannel channel = server.open();
        try {
            ContinualJob job = ContinualCommand.stub(channel).cancelContinualJob(CancelContinualJobRequest.newBuilder()
                    .setJobId(jobId).build());
            spec.commandLine().getOut().println(ContinualCommand.describe(job) + (job.getCancelRequested()
                    && job.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND
                    ? " (stopping its round)" : ""));
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            ServerAddress.close(channel);
        }
    }
}
