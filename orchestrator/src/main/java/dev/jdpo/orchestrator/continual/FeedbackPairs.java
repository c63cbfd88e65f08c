package dev.jdpo.orchestrator.continual;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.feedback.PairExporter;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.PreferencePair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A task's feedback pairs recorded in a time window, through {@link PairExporter} (ExportPairs' rules). */
final class FeedbackPairs {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace()
            .preservingProtoFieldNames();

    private final PairExporter exporter;

    FeedbackPairs(PairExporter exporter) {
        this.exporter = exporter;
    }

    /** Pairs the export of [fromMs, beforeMs) would stream. */
    long count(String task, long fromMs, long beforeMs) {
        long[] pairs = new long[1];
        export(task, fromMs, beforeMs, pair -> pairs[0]++);
        return pairs[0];
    }

    /**
     * Writes the window's pairs as OpenAI preference JSONL; the file appears whole or not at all.
     *
     * @return the pairs written
     */
    long write(String task, long fromMs, long beforeMs, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        long[] pairs = new long[1];
        try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            export(task, fromMs, beforeMs, pair -> {
                try {
                    out.write(JSON.print(pair) + "\n");
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("cannot print a preference pair", e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                pairs[0]++;
            });
        } catch (UncheckedIOException failed) {
            throw failed.getCause();
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return pairs[0];
    }

    private void export(String task, long fromMs, long beforeMs, java.util.function.Consumer<PreferencePair> sink) {
        try {
            exporter.export(ExportPairsRequest.newBuilder().setTask(task).setRecordedAfterMs(fromMs)
                    .setRecordedBeforeMs(beforeMs).build(), sink);
        } catch (InvalidConfigException impossible) {
            // the job sets only valid windows (from its own clock, >= 0)
            throw new IllegalStateException(impossible.getMessage(), impossible);
        }
    }
}
