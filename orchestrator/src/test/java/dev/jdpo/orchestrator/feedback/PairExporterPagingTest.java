package dev.jdpo.orchestrator.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdpo.orchestrator.state.DatabaseSettings;
import dev.jdpo.orchestrator.state.FeedbackRepository;
import dev.jdpo.orchestrator.state.StateDatabase;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportSummary;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.PreferencePair;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.UserChoice;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge rules give the same export whatever the page size, also when one pair's rows span several pages. */
class PairExporterPagingTest {

    @TempDir
    Path tmp;

    @Test
    void everyPageSizeGivesTheSameExport() throws Exception {
        try (StateDatabase db = StateDatabase.open(DatabaseSettings.h2File(tmp))) {
            FeedbackRepository repository = new FeedbackRepository(db);
            FeedbackRecorder recorder = new FeedbackRecorder(repository, Clock.systemUTC());
            LogCompletionResponse logged = recorder.logCompletion(LogCompletionRequest.newBuilder().setModel("m")
                    .addMessages(FeedbackMessage.newBuilder().setRole("user").setContent("Pick one."))
                    .addCompletions("a").addCompletions("b").addCompletions("c").addCompletions("d").build());
            // a chosen three times, b twice: a > b three times against b > a twice
            for (int choice : new int[] {0, 0, 0, 1, 1}) {
                recorder.record(RecordFeedbackRequest.newBuilder().setUserChoice(UserChoice.newBuilder()
                        .setChosenCompletionId(logged.getCompletionIds(choice))).build());
            }
            List<String> expected = null;
            for (int pageRows : new int[] {1, 2, 3, 500}) {
                List<PreferencePair> pairs = new ArrayList<>();
                ExportSummary summary = new PairExporter(repository, pageRows)
                        .export(ExportPairsRequest.getDefaultInstance(), pairs::add);
                List<String> texts = pairs.stream().map(pair -> pair.getPreferredOutput(0).getContent() + ">"
                        + pair.getNonPreferredOutput(0).getContent() + " x" + pair.getFeedbackIdsCount()).sorted()
                        .toList();
                assertEquals(List.of("a>b x3", "a>c x3", "a>d x3", "b>c x2", "b>d x2"), texts, "page size " + pageRows);
                assertEquals(ExportSummary.newBuilder().setPairs(5).putPairsBySource("FEEDBACK_SOURCE_USER_CHOICE", 5)
                        .setDuplicatesMerged(8).setContradictions(1).setContradictionsResolved(1).build(), summary,
                        "page size " + pageRows);
                List<String> order = pairs.stream().map(pair -> pair.getPreferredOutput(0).getContent()
                        + pair.getNonPreferredOutput(0).getContent()).toList();
                if (expected == null) {
                    expected = order;
                }
                assertEquals(expected, order, "the same order at page size " + pageRows);
            }
        }
    }
}
