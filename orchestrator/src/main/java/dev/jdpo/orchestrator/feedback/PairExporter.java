package dev.jdpo.orchestrator.feedback;

import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.state.FeedbackRepository;
import dev.jdpo.orchestrator.state.FeedbackRepository.PairFilter;
import dev.jdpo.orchestrator.state.FeedbackRepository.PairRow;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportSummary;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.FeedbackSource;
import dev.jdpo.proto.v1.PreferenceInput;
import dev.jdpo.proto.v1.PreferencePair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * ExportPairs as a library call: pages through the stored pairs in pair-key order, so each pair's duplicates and
 * contradictions arrive together and only one pair's rows are held at a time, and applies the merge rules of
 * feedback.proto. The gRPC endpoint and continual rounds both call it.
 */
public final class PairExporter {

    /** Rows read per database round trip. */
    private static final int PAGE_ROWS = 500;

    private final FeedbackRepository repository;
    private final int pageRows;

    public PairExporter(FeedbackRepository repository) {
        this(repository, PAGE_ROWS);
    }

    /** An exporter reading {@code pageRows} rows per query (tests use tiny pages to split pairs across them). */
    PairExporter(FeedbackRepository repository, int pageRows) {
        this.repository = repository;
        this.pageRows = pageRows;
    }

    /**
     * Hands every exported pair to {@code sink}, in pair-key order, and returns the summary. A sink that throws stops
     * the export (a cancelled call).
     */
    public ExportSummary export(ExportPairsRequest request, Consumer<PreferencePair> sink)
            throws InvalidConfigException {
        PairFilter filter = filter(request);
        Summary summary = new Summary();
        List<PairRow> group = new ArrayList<>();
        String afterKey = "";
        long afterOrdinal = 0;
        List<PairRow> page;
        do {
            page = repository.pairsAfter(filter, afterKey, afterOrdinal, pageRows);
            for (PairRow row : page) {
                if (!group.isEmpty() && !group.get(0).pairKey().equals(row.pairKey())) {
                    summary.resolve(group, sink);
                    group.clear();
                }
                group.add(row);
            }
            if (!page.isEmpty()) {
                PairRow last = page.get(page.size() - 1);
                afterKey = last.pairKey();
                afterOrdinal = last.ordinal();
            }
        } while (page.size() == pageRows);
        if (!group.isEmpty()) {
            summary.resolve(group, sink);
        }
        return summary.build();
    }

    private static PairFilter filter(ExportPairsRequest request) throws InvalidConfigException {
        if (request.getRecordedAfterMs() < 0) {
            throw new InvalidConfigException("recorded_after_ms", "must be >= 0, got " + request.getRecordedAfterMs());
        }
        if (request.getRecordedBeforeMs() < 0) {
            throw new InvalidConfigException("recorded_before_ms", "must be >= 0, got "
                    + request.getRecordedBeforeMs());
        }
        if (!Double.isFinite(request.getMinScoreGap()) || request.getMinScoreGap() < 0) {
            throw new InvalidConfigException("min_score_gap", "must be a finite number >= 0, got "
                    + request.getMinScoreGap());
        }
        Set<String> sources = new LinkedHashSet<>();
        for (int i = 0; i < request.getSourcesCount(); i++) {
            FeedbackSource source = request.getSources(i);
            if (!FeedbackSources.ALL.contains(source)) {
                throw new InvalidConfigException("sources[" + i + "]", "unknown source " + request.getSourcesValue(i));
            }
            sources.add(FeedbackSources.shortName(source));
        }
        if (sources.isEmpty()) {
            FeedbackSources.ALL.forEach(source -> sources.add(FeedbackSources.shortName(source)));
        }
        return new PairFilter(request.getTask(), request.getRecordedAfterMs(),
                request.getRecordedBeforeMs() == 0 ? Long.MAX_VALUE : request.getRecordedBeforeMs(), sources,
                request.getMinScoreGap());
    }

    /** The counts of one export, and the rules that settle one pair's rows. */
    private static final class Summary {

        private long pairs;
        private final Map<String, Long> bySource = new LinkedHashMap<>();
        private long duplicates;
        private long contradictions;
        private long resolved;
        private long dropped;
        private long identical;

        /** {@code rows}: every stored row of one pair key, in recording order. */
        void resolve(List<PairRow> rows, Consumer<PreferencePair> sink) {
            PairRow first = rows.get(0);
            if (first.preferredHash().equals(first.rejectedHash())) {
                identical += rows.size();
                return;
            }
            List<PairRow> forward = rows.stream().filter(r -> r.preferredHash().equals(first.preferredHash())).toList();
            List<PairRow> backward = rows.stream().filter(r -> !r.preferredHash().equals(first.preferredHash()))
                    .toList();
            List<PairRow> winner = forward;
            if (!backward.isEmpty()) {
                contradictions++;
                if (forward.size() == backward.size()) {
                    dropped++;
                    return;
                }
                resolved++;
                winner = forward.size() > backward.size() ? forward : backward;
            }
            duplicates += winner.size() - 1;
            sink.accept(pair(winner));
        }

        private PreferencePair pair(List<PairRow> rows) {
            PairRow first = rows.get(0);
            PreferencePair.Builder pair = PreferencePair.newBuilder()
                    .setInput(FeedbackRepository.readMessages(first.messagesJson(), PreferenceInput.newBuilder()))
                    .addPreferredOutput(assistant(first.preferred()))
                    .addNonPreferredOutput(assistant(first.rejected()))
                    .setTask(first.task());
            Set<String> ids = new LinkedHashSet<>();
            Set<FeedbackSource> sources = new LinkedHashSet<>();
            for (PairRow row : rows) {
                FeedbackSource source = FeedbackSources.fromShortName(row.source());
                sources.add(source);
                for (String id : row.feedbackIds().split(",")) {
                    if (ids.add(id)) {
                        pair.addFeedbackIds(id).addSources(source);
                    }
                }
            }
            pairs++;
            sources.forEach(source -> bySource.merge(source.name(), 1L, Long::sum));
            return pair.build();
        }

        private static FeedbackMessage assistant(String content) {
            return FeedbackMessage.newBuilder().setRole("assistant").setContent(content).build();
        }

        ExportSummary build() {
            return ExportSummary.newBuilder().setPairs(pairs).putAllPairsBySource(bySource)
                    .setDuplicatesMerged(duplicates).setContradictions(contradictions)
                    .setContradictionsResolved(resolved).setContradictionsDropped(dropped)
                    .setIdenticalSkipped(identical).build();
        }
    }
}
