package dev.jdpo.orchestrator.cli;

import dev.jdpo.orchestrator.feedback.FeedbackSources;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportPairsResponse;
import dev.jdpo.proto.v1.ExportSummary;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.FeedbackSource;
import io.grpc.ManagedChannel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo feedback export}: streams the preference pairs into a JSONL file, one line per pair as it arrives. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export the preference pairs the feedback implies, as OpenAI/Azure preference JSONL (plus "
                + "feedback_ids, sources and task per line), and print the export's summary.")
final class FeedbackExportCommand extends OrchestratorCommand {

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The JSONL file to write.")
    Path out;

    @Option(names = "--task", defaultValue = "", description = "Only this task's feedback.")
    String task;

    @Option(names = "--source", paramLabel = "SOURCE", split = ",",
            description = "Only these sources: expert_edit, criteria, user_choice, regeneration, user_edit.")
    List<String> sources = List.of();

    @Option(names = "--after", paramLabel = "INSTANT",
            description = "Only feedback recorded at or after this time (ISO-8601, e.g. 2026-01-31T00:00:00Z).")
    String after;

    @Option(names = "--before", paramLabel = "INSTANT", description = "Only feedback recorded before this time.")
    String before;

    @Option(names = "--min-score-gap", paramLabel = "G", defaultValue = "0",
            description = "Only criteria pairs whose scores differ by at least G (other sources are kept).")
    double minScoreGap;

    @Override
    int call(ManagedChannel channel) throws IOException {
        ExportPairsRequest.Builder request = ExportPairsRequest.newBuilder().setTask(task).setMinScoreGap(minScoreGap)
                .setRecordedAfterMs(millis("--after", after)).setRecordedBeforeMs(millis("--before", before));
        for (String source : sources) {
            try {
                request.addSources(FeedbackSources.fromShortName(source));
            } catch (IllegalArgumentException unknown) {
                throw usage("--source: " + unknown.getMessage());
            }
        }
        ExportSummary summary = null;
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            Iterator<ExportPairsResponse> stream = FeedbackServiceGrpc.newBlockingStub(channel)
                    .exportPairs(request.build());
            while (stream.hasNext()) {
                ExportPairsResponse item = stream.next();
                if (item.hasPair()) {
                    writer.write(FeedbackCommand.json(item.getPair()));
                    writer.newLine();
                } else {
                    summary = item.getSummary();
                }
            }
        }
        return answer(describe(summary));
    }

    private long millis(String option, String instant) {
        if (instant == null) {
            return 0;
        }
        try {
            return Instant.parse(instant).toEpochMilli();
        } catch (DateTimeParseException malformed) {
            throw usage(option + ": not an ISO-8601 instant such as 2026-01-31T00:00:00Z: " + instant);
        }
    }

    private String describe(ExportSummary summary) {
        StringBuilder line = new StringBuilder().append(summary.getPairs()).append(" pairs to ").append(out);
        for (FeedbackSource source : FeedbackSources.ALL) {
            long count = summary.getPairsBySourceOrDefault(source.name(), 0);
            if (count > 0) {
                line.append(", ").append(count).append(' ').append(FeedbackSources.shortName(source));
            }
        }
        return line.append("; ").append(summary.getDuplicatesMerged()).append(" duplicates merged, ")
                .append(summary.getContradictions()).append(" contradictions (")
                .append(summary.getContradictionsResolved()).append(" resolved by majority, ")
                .append(summary.getContradictionsDropped()).append(" dropped as ties), ")
                .append(summary.getIdenticalSkipped()).append(" unchanged edits skipped").toString();
    }
}
