package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.report.RunReport;
import dev.jdpo.orchestrator.report.RunReportFile;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.WatchRunRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jdpo report}: a run's report page, from the run API, as one self-contained HTML file. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a run's report as one self-contained HTML file: curves, criteria before/after, sample "
                + "generations, data and config. Every run also writes it to <output_dir>/report.html when it ends.")
final class ReportCommand extends OrchestratorCommand {

    @Parameters(paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--out", paramLabel = "FILE",
            description = "where the page goes (default: report-RUN_ID.html in the working directory)")
    Path out;

    @Override
    int call(ManagedChannel channel) throws Exception {
        RunServiceGrpc.RunServiceBlockingStub stub = runs(channel);
        Run run = stub.getRun(GetRunRequest.newBuilder().setRunId(runId).build());
        List<RunEvent> events = RunReportFile.events(run, (id, after, limit) -> page(stub, id, after, limit, run.getLastSequence()));
        Path file = out != null ? out : Path.of("report-" + runId + ".html");
        RunReportFile.write(new RunReport(run, events), file);
        return answer(file.toString());
    }

    /**
     * Up to {@code limit} events after {@code after}, none past {@code until}; the watch is cancelled there, since a
     * live run's watch goes on.
     */
    private static List<RunEvent> page(RunServiceGrpc.RunServiceBlockingStub stub, String id, long after, int limit,
                                       long until) {
        List<RunEvent> events = new ArrayList<>();
        try (Context.CancellableContext watch = Context.current().withCancellation()) {
            watch.run(() -> {
                Iterator<RunEvent> stream = stub.watchRun(WatchRunRequest.newBuilder().setRunId(id)
                        .setAfterSequence(after).build());
                long seen = after;
                while (events.size() < limit && seen < until && stream.hasNext()) {
                    RunEvent event = stream.next();
                    events.add(event);
                    seen = event.getSequence();
                }
            });
        }
        return events;
    }
}
