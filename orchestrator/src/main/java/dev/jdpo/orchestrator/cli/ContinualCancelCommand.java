package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.CancelContinualJobRequest;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import io.grpc.ManagedChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jdpo continual cancel}: stops a job; a round in progress has its run cancelled and is not promoted. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a continual job; a round in progress stops, unpromoted, and its pairs stay unconsumed.")
final class ContinualCancelCommand extends OrchestratorCommand {

    @Parameters(paramLabel = "JOB_ID")
    String jobId;

    @Override
    int call(ManagedChannel channel) {
        ContinualJob job = jobs(channel).cancelContinualJob(CancelContinualJobRequest.newBuilder().setJobId(jobId)
                .build());
        return answer(ContinualCommand.describe(job) + (job.getCancelRequested()
                && job.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND ? " (stopping its round)" : ""));
    }
}
