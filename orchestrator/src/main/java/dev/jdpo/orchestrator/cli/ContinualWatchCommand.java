package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.ContinualEvent;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.WatchContinualJobRequest;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jdpo continual watch}: prints a job's events (rounds, evaluations, status) until it ends. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Show a continual job's events until it ends; exit 0 if it completed.")
final class ContinualWatchCommand extends OrchestratorCommand {

    @Parameters(paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--after", paramLabel = "SEQUENCE", defaultValue = "0",
            description = "Only events after this sequence number (resume point).")
    long after;

    @Override
    int call(ManagedChannel channel) {
        return follow(channel, jobId, after, out());
    }

    /** Prints one line per event; the exit code is 0 when the job completed, 1 otherwise. */
    static int follow(ManagedChannel channel, String jobId, long after, PrintWriter out) {
        ContinualJobStatus last = ContinualJobStatus.CONTINUAL_JOB_STATUS_UNSPECIFIED;
        // a job lasts as long as its trigger keeps firing: the watch has no deadline
        Iterator<ContinualEvent> events = ContinualServiceGrpc.newBlockingStub(channel).watchContinualJob(
                WatchContinualJobRequest.newBuilder().setJobId(jobId).setAfterSequence(after).build());
        while (events.hasNext()) {
            ContinualEvent event = events.next();
            out.println(Instant.ofEpochSecond(event.getTime().getSeconds()) + " [" + event.getSequence() + "] "
                    + event.getMessage());
            out.flush();
            if (event.hasStatus()) {
                last = event.getStatus();
            }
        }
        return last == ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED ? 0 : UserErrorHandler.EXIT_FAILURE;
    }
}
