package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ListContinualJobsRequest;
import dev.jdpo.proto.v1.ListContinualJobsResponse;
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

/** {@code jdpo continual list}: the newest continual jobs, one line each. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List continual jobs, newest first.")
final class ContinualListCommand implements Callable<Integer> {

    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final String ROW = "%-25s %-10s %-7s %-16s %s%n";

    @Mixin
    ServerAddress server;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many jobs (default ${DEFAULT-VALUE}).")
    int limit;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit: must be >= 1, got " + limit);
        }
        ManagedChannel channel = server.open();
        try {
            print(channel, limit, spec.commandLine().getOut());
            return 0;
        } finally {
            ServerAddress.close(channel);
        }
    }

    /** The table of the newest {@code limit} jobs (also under {@code jdpo list}). */
    static void print(ManagedChannel channel, int limit, PrintWriter out) {
        out.printf(Locale.ROOT, ROW, "JOB", "STATUS", "ROUNDS", "CREATED", "NAME");
        int printed = 0;
        String token = "";
        do {
            ListContinualJobsResponse page = ContinualCommand.stub(channel).listContinualJobs(ListContinualJobsRequest
                    .newBuilder().setPageSize(Math.min(100, limit - printed)).setPageToken(token).build());
            for (ContinualJob job : page.getJobsList()) {
                out.printf(Locale.ROOT, ROW, job.getId(), ContinualCommand.status(job.getStatus()),
                        job.getRoundsCount(), CREATED.format(Instant.ofEpochSecond(job.getCreatedAt().getSeconds())),
                        job.getName());
                printed++;
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty() && printed < limit);
        out.flush();
    }
}
