package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.ListRunsResponse;
import dev.jdpo.proto.v1.Run;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo list}: the newest runs, one line each, then the newest continual jobs. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List runs, newest first, then the continual jobs (without --status).")
final class ListCommand extends OrchestratorCommand {


    @Option(names = "--status", paramLabel = "STATUS",
            description = "Only runs in this status: validating_files, queued, running, succeeded, failed, cancelled.")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many runs (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int call(ManagedChannel channel) {
        if (limit < 1) {
            throw usage("--limit: must be >= 1, got " + limit);
        }
        ListRunsRequest.Builder request = ListRunsRequest.newBuilder();
        if (status != null) {
            try {
                request.setStatus(RunStatuses.fromShortName(status));
            } catch (IllegalArgumentException unknown) {
                throw usage("--status: unknown status " + status);
            }
        }
        PrintWriter out = out();
        out.printf(Locale.ROOT, "%-24s %-16s %-11s %-16s %s%n", "ID", "STATUS", "STEP", "CREATED", "NAME");
        int printed = 0;
        String token = "";
        do {
            ListRunsResponse page = runs(channel).listRuns(request.setPageSize(Math.min(100, limit - printed))
                    .setPageToken(token).build());
            for (Run run : page.getRunsList()) {
                out.printf(Locale.ROOT, "%-24s %-16s %-11s %-16s %s%n", run.getId(),
                        RunStatuses.shortName(run.getStatus()), run.getStep() + "/" + run.getTotalSteps(),
                        minutes(run.getCreatedAt()), run.getName());
                printed++;
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty() && printed < limit);
        if (status == null) {
            out.println();
            ContinualListCommand.print(channel, limit, out);
        }
        out.flush();
        return 0;
    }
}
