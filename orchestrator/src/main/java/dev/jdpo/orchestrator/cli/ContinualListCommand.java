package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ListContinualJobsRequest;
import dev.jdpo.proto.v1.ListContinualJobsResponse;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo continual list}: the newest continual jobs, one line each. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List continual jobs, newest first.")
final class ContinualListCommand extends OrchestratorCommand {

    private static final String ROW = "%-25s %-10s %-7s %-16s %s%n";

    @Option(names = "--limit", defaultValue = "20", description = "At most this many jobs (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int call(ManagedChannel channel) {
        if (limit < 1) {
            throw usage("--limit: must be >= 1, got " + limit);
        }
        print(channel, limit, out());
        return 0;
    }

    /** The table of the newest {@code limit} jobs (also under {@code jdpo list}). */
    static void print(ManagedChannel channel, int limit, PrintWriter out) {
        out.printf(Locale.ROOT, ROW, "JOB", "STATUS", "ROUNDS", "CREATED", "NAME");
        int printed = 0;
        String token = "";
        do {
            ListContinualJobsResponse page = jobs(channel).listContinualJobs(ListContinualJobsRequest
                    .newBuilder().setPageSize(Math.min(100, limit - printed)).setPageToken(token).build());
            for (ContinualJob job : page.getJobsList()) {
                out.printf(Locale.ROOT, ROW, job.getId(), ContinualCommand.status(job.getStatus()),
                        job.getRoundsCount(), minutes(job.getCreatedAt()),
                        job.getName());
                printed++;
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty() && printed < limit);
        out.flush();
    }
}
