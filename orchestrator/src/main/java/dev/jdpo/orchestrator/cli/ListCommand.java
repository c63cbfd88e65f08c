package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.state.RunStatuses;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.ListRunsResponse;
import dev.jdpo.proto.v1.Run;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo list}: the newest runs, one line each, then the newest continual jobs. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List runs, newest first, then the continual jobs (without --status).")
final class ListCommand implements Callable<Integer> {

    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @Mixin
    ServerAddress server;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "Only runs in this status: validating_files, queued, running, succeeded, failed, cancelled.")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many runs (default ${DEFAULT-VALUE}).")
    int limit;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit: must be >= 1, got " + limit);
        }
        ListRunsRequest.Builder request = ListRunsRequest.newBuilder();
        if (status != null) {
            try {
                request.setStatus(RunStatuses.fromShortName(status));
            } catch (IllegalArgumentException unknown) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--status: unknown status " + status);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-24s %-16s %-11s %-16s %s%n", "ID", "STATUS", "STEP", "CREATED", "NAME");
        ManagedChannel channel = server.open();
        try {
            int printed = 0;
            String token = "";
            do {
                ListRunsResponse page = server.stub(channel).listRuns(request.setPageSize(Math.min(100, limit - printed))
                        .setPageToken(token).build());
                for (Run run : page.getRunsList()) {
                    out.printf(Locale.ROOT, "%-24s %-16s %-11s %-16s %s%n", run.getId(),
                            RunStatuses.shortName(run.getStatus()), run.getStep() + "/" + run.getTotalSteps(),
                            CREATED.format(Instant.ofEpochSecond(run.getCreatedAt().getSeconds())), run.getName());
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
        } finally {
            ServerAddress.close(channel);
        }
    }
}
