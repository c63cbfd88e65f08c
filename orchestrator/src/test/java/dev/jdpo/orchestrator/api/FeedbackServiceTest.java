package dev.jdpo.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CriteriaScore;
import dev.jdpo.proto.v1.Edit;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportPairsResponse;
import dev.jdpo.proto.v1.ExportSummary;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.FeedbackSource;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.PreferencePair;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.Regeneration;
import dev.jdpo.proto.v1.UserChoice;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each feedback source, fed through FeedbackService over a real loopback gRPC server, yields exactly the pairs its
 * rule in feedback.proto defines, with ties, duplicates and contradictions. Each test uses its own task, so the
 * tests share one server and its database without seeing each other's feedback.
 */
class FeedbackServiceTest {

    @TempDir
    static Path tmp;
    static OrchestratorServer server;
    static RunClient client;

    /** The pairs of one export as "preferred > rejected", and its summary. */
    private record Export(List<PreferencePair> pairs, ExportSummary summary) {
        Set<String> texts() {
            return pairs.stream().map(p -> p.getPreferredOutput(0).getContent() + " > "
                    + p.getNonPreferredOutput(0).getContent()).collect(Collectors.toSet());
        }
    }

    @BeforeAll
    static void start() throws Exception {
        server = new TestWorkspace(tmp).start(new ScriptedRunExecutor(1, 1, 0));
        client = new RunClient(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static FeedbackServiceGrpc.FeedbackServiceBlockingStub feedback() {
        return FeedbackServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static LogCompletionResponse log(String task, String prompt, String... completions) {
        return feedback().logCompletion(LogCompletionRequest.newBuilder()
                .addMessages(FeedbackMessage.newBuilder().setRole("system").setContent("Be brief."))
                .addMessages(FeedbackMessage.newBuilder().setRole("user").setContent(prompt))
                .addAllCompletions(List.of(completions)).setModel("tiny-llama").setTask(task)
                .putMetadata("client", "test").build());
    }

    private static String record(RecordFeedbackRequest.Builder request) {
        return feedback().recordFeedback(request.build()).getFeedbackId();
    }

    private static String score(String completionId, String criterion, double score) {
        return record(RecordFeedbackRequest.newBuilder().setCriteriaScore(CriteriaScore.newBuilder()
                .setCompletionId(completionId).setCriterion(criterion).setScore(score)));
    }

    private static String choose(String completionId) {
        return record(RecordFeedbackRequest.newBuilder().setUserChoice(UserChoice.newBuilder()
                .setChosenCompletionId(completionId)));
    }

    private static Export export(ExportPairsRequest request) {
        List<PreferencePair> pairs = new ArrayList<>();
        ExportSummary summary = null;
        Iterator<ExportPairsResponse> stream = feedback().exportPairs(request);
        while (stream.hasNext()) {
            ExportPairsResponse item = stream.next();
            assertEquals(null, summary, "the summary is the last message");
            if (item.hasPair()) {
                pairs.add(item.getPair());
            } else {
                summary = item.getSummary();
            }
        }
        assertEquals(pairs.size(), summary.getPairs());
        return new Export(pairs, summary);
    }

    private static Export export(String task) {
        return export(ExportPairsRequest.newBuilder().setTask(task).build());
    }

    @Test
    void expertEditPrefersTheEditedTextOverTheOriginal() {
        LogCompletionResponse logged = log("expert", "What is 2+2?", "It is 5.");
        String id = record(RecordFeedbackRequest.newBuilder().setExpertEdit(Edit.newBuilder()
                .setCompletionId(logged.getCompletionIds(0)).setEditedText("4")));
        Export export = export("expert");
        assertEquals(Set.of("4 > It is 5."), export.texts());
        PreferencePair pair = export.pairs().get(0);
        assertEquals(List.of(id), pair.getFeedbackIdsList());
        assertEquals(List.of(FeedbackSource.FEEDBACK_SOURCE_EXPERT_EDIT), pair.getSourcesList());
        assertEquals("expert", pair.getTask());
        assertEquals(List.of("system", "user"), pair.getInput().getMessagesList().stream()
                .map(FeedbackMessage::getRole).toList());
        assertEquals("What is 2+2?", pair.getInput().getMessages(1).getContent());
        assertEquals("assistant", pair.getPreferredOutput(0).getRole());
        assertEquals(1, export.summary().getPairsBySourceOrThrow("FEEDBACK_SOURCE_EXPERT_EDIT"));
    }

    @Test
    void userEditOfADraftPrefersTheEditAndAnUnchangedEditIsSkipped() {
        LogCompletionResponse logged = log("user-edit", "Write a greeting.", "Hello there, dear user!", "Hi.");
        record(RecordFeedbackRequest.newBuilder().setUserEdit(Edit.newBuilder()
                .setCompletionId(logged.getCompletionIds(0)).setEditedText("Hello!")));
        record(RecordFeedbackRequest.newBuilder().setUserEdit(Edit.newBuilder()
                .setCompletionId(logged.getCompletionIds(1)).setEditedText("Hi.")));
        Export export = export("user-edit");
        assertEquals(Set.of("Hello! > Hello there, dear user!"), export.texts());
        assertEquals(List.of(FeedbackSource.FEEDBACK_SOURCE_USER_EDIT), export.pairs().get(0).getSourcesList());
        assertEquals(1, export.summary().getIdenticalSkipped());
    }

    @Test
    void criteriaPreferTheHighestOverTheLowestAndTiesYieldNothing() {
        LogCompletionResponse scored = log("criteria", "Name a prime.", "7", "nine", "eleven or so");
        String best = score(scored.getCompletionIds(0), "exact", 0.9);
        String worst = score(scored.getCompletionIds(1), "exact", 0.2);
        score(scored.getCompletionIds(2), "exact", 0.5);
        LogCompletionResponse tied = log("criteria", "Name an even prime.", "2", "two");
        score(tied.getCompletionIds(0), "exact", 1);
        score(tied.getCompletionIds(1), "exact", 1);
        LogCompletionResponse passFail = log("criteria", "Say yes.", "yes", "no");
        record(RecordFeedbackRequest.newBuilder().setCriteriaScore(CriteriaScore.newBuilder()
                .setCompletionId(passFail.getCompletionIds(0)).setCriterion("regex").setPassed(true)));
        record(RecordFeedbackRequest.newBuilder().setCriteriaScore(CriteriaScore.newBuilder()
                .setCompletionId(passFail.getCompletionIds(1)).setCriterion("regex").setPassed(false)));

        Export export = export("criteria");
        assertEquals(Set.of("7 > nine", "yes > no"), export.texts());
        PreferencePair prime = export.pairs().stream()
                .filter(p -> p.getPreferredOutput(0).getContent().equals("7")).findFirst().orElseThrow();
        assertEquals(List.of(best, worst), prime.getFeedbackIdsList());
        assertEquals(List.of(FeedbackSource.FEEDBACK_SOURCE_CRITERIA, FeedbackSource.FEEDBACK_SOURCE_CRITERIA),
                prime.getSourcesList());

        // the gap of "7 > nine" is 0.7, of "yes > no" 1.0
        assertEquals(Set.of("yes > no"), export(ExportPairsRequest.newBuilder().setTask("criteria")
                .setMinScoreGap(0.8).build()).texts());
    }

    @Test
    void aCompletionsLatestScoreCountsAndTopTiesTakeTheFirstLogged() {
        LogCompletionResponse logged = log("rescored", "Pick a colour.", "red", "green", "blue");
        score(logged.getCompletionIds(0), "style", 0.1);
        score(logged.getCompletionIds(1), "style", 0.8);
        assertEquals(Set.of("green > red"), export("rescored").texts());
        score(logged.getCompletionIds(0), "style", 0.8);
        assertEquals(Set.of(), export("rescored").texts(), "red 0.8 and green 0.8: a tie");
        score(logged.getCompletionIds(2), "style", 0.3);
        assertEquals(Set.of("red > blue"), export("rescored").texts(), "red and green share the top; red came first");
        // a second criterion gives its own pair, merged with the first's when they agree
        score(logged.getCompletionIds(0), "length", 1);
        score(logged.getCompletionIds(2), "length", 0);
        Export export = export("rescored");
        assertEquals(Set.of("red > blue"), export.texts());
        assertEquals(4, export.pairs().get(0).getFeedbackIdsCount());
        assertEquals(1, export.summary().getDuplicatesMerged());
    }

    @Test
    void userChoicePrefersTheChosenOverEachOtherCompletion() {
        LogCompletionResponse logged = log("choice", "Suggest a name.", "Ada", "Bob", "Cy");
        String first = choose(logged.getCompletionIds(1));
        Export export = export("choice");
        assertEquals(Set.of("Bob > Ada", "Bob > Cy"), export.texts());
        assertEquals(0, export.summary().getDuplicatesMerged());

        String again = choose(logged.getCompletionIds(1));
        export = export("choice");
        assertEquals(Set.of("Bob > Ada", "Bob > Cy"), export.texts(), "a repeated choice adds no pair");
        assertEquals(2, export.summary().getDuplicatesMerged());
        for (PreferencePair pair : export.pairs()) {
            assertEquals(List.of(first, again), pair.getFeedbackIdsList());
        }
    }

    @Test
    void contradictionsGoToTheMajorityAndEqualSupportDropsThePair() {
        LogCompletionResponse logged = log("contradiction", "Tabs or spaces?", "tabs", "spaces");
        choose(logged.getCompletionIds(0));
        choose(logged.getCompletionIds(1));
        Export tie = export("contradiction");
        assertEquals(Set.of(), tie.texts());
        assertEquals(1, tie.summary().getContradictions());
        assertEquals(1, tie.summary().getContradictionsDropped());
        assertEquals(0, tie.summary().getContradictionsResolved());

        // an expert edit that turns "tabs" into "spaces" is a third vote for spaces over tabs
        record(RecordFeedbackRequest.newBuilder().setExpertEdit(Edit.newBuilder()
                .setCompletionId(logged.getCompletionIds(0)).setEditedText("spaces")));
        Export majority = export("contradiction");
        assertEquals(Set.of("spaces > tabs"), majority.texts());
        assertEquals(Set.of(FeedbackSource.FEEDBACK_SOURCE_USER_CHOICE, FeedbackSource.FEEDBACK_SOURCE_EXPERT_EDIT),
                Set.copyOf(majority.pairs().get(0).getSourcesList()));
        assertEquals(1, majority.summary().getContradictions());
        assertEquals(1, majority.summary().getContradictionsResolved());
        assertEquals(1, majority.summary().getDuplicatesMerged());
    }

    @Test
    void regenerationPrefersTheAcceptedOverEachEarlierOutput() {
        LogCompletionResponse first = log("regen", "A haiku about rain.", "Rain falls. The end.");
        LogCompletionResponse second = log("regen", "A haiku about rain.", "Wet wet wet wet wet.");
        LogCompletionResponse third = log("regen", "A haiku about rain.", "Soft rain on the roof / ...");
        String id = record(RecordFeedbackRequest.newBuilder().setRegeneration(Regeneration.newBuilder()
                .addRejectedCompletionIds(first.getCompletionIds(0))
                .addRejectedCompletionIds(second.getCompletionIds(0))
                .setAcceptedCompletionId(third.getCompletionIds(0))));
        Export export = export("regen");
        assertEquals(Set.of("Soft rain on the roof / ... > Rain falls. The end.",
                "Soft rain on the roof / ... > Wet wet wet wet wet."), export.texts());
        export.pairs().forEach(pair -> assertEquals(List.of(id), pair.getFeedbackIdsList()));

        LogCompletionResponse other = log("regen", "Another prompt.", "x");
        StatusRuntimeException error = assertStatus(Status.Code.INVALID_ARGUMENT, () -> record(
                RecordFeedbackRequest.newBuilder().setRegeneration(Regeneration.newBuilder()
                        .addRejectedCompletionIds(other.getCompletionIds(0))
                        .setAcceptedCompletionId(third.getCompletionIds(0)))));
        assertEquals("regeneration.rejected_completion_ids[0]: answers another prompt than accepted_completion_id",
                error.getStatus().getDescription());
    }

    @Test
    void exportFiltersByTaskSourceAndTime() throws Exception {
        LogCompletionResponse logged = log("filters", "Q?", "a", "b");
        choose(logged.getCompletionIds(0));
        long between = System.currentTimeMillis() + 1;
        Thread.sleep(5);
        record(RecordFeedbackRequest.newBuilder().setUserEdit(Edit.newBuilder()
                .setCompletionId(logged.getCompletionIds(1)).setEditedText("c")));
        assertEquals(Set.of("a > b", "c > b"), export("filters").texts());
        assertEquals(Set.of("c > b"), export(ExportPairsRequest.newBuilder().setTask("filters")
                .addSources(FeedbackSource.FEEDBACK_SOURCE_USER_EDIT).build()).texts());
        assertEquals(Set.of("a > b"), export(ExportPairsRequest.newBuilder().setTask("filters")
                .setRecordedBeforeMs(between).build()).texts());
        assertEquals(Set.of("c > b"), export(ExportPairsRequest.newBuilder().setTask("filters")
                .setRecordedAfterMs(between).build()).texts());
        assertTrue(export(ExportPairsRequest.getDefaultInstance()).pairs().size() >= 2, "no task: every task");
    }

    @Test
    void badRequestsNameTheirField() {
        assertEquals("messages: at least one message (the prompt) is required", assertStatus(
                Status.Code.INVALID_ARGUMENT, () -> feedback().logCompletion(LogCompletionRequest.newBuilder()
                        .addCompletions("x").setModel("m").build())).getStatus().getDescription());
        assertEquals("messages[0].role: must be system, user or assistant, got robot", assertStatus(
                Status.Code.INVALID_ARGUMENT, () -> feedback().logCompletion(LogCompletionRequest.newBuilder()
                        .addMessages(FeedbackMessage.newBuilder().setRole("robot")).addCompletions("x").setModel("m")
                        .build())).getStatus().getDescription());
        assertEquals("user_choice.chosen_completion_id: completion cmp-nope not found", assertStatus(
                Status.Code.NOT_FOUND, () -> choose("cmp-nope")).getStatus().getDescription());
        LogCompletionResponse single = log("bad", "Q?", "only");
        assertEquals("user_choice.chosen_completion_id: its request has one completion; a choice needs two or more",
                assertStatus(Status.Code.INVALID_ARGUMENT, () -> choose(single.getCompletionIds(0)))
                        .getStatus().getDescription());
        assertEquals("criteria_score.score: must be finite, got NaN", assertStatus(Status.Code.INVALID_ARGUMENT,
                () -> score(single.getCompletionIds(0), "c", Double.NaN)).getStatus().getDescription());
        assertEquals("feedback: set one of criteria_score, user_choice, regeneration, user_edit, expert_edit",
                assertStatus(Status.Code.INVALID_ARGUMENT, () -> record(RecordFeedbackRequest.newBuilder()))
                        .getStatus().getDescription());
        assertEquals("min_score_gap: must be a finite number >= 0, got -1.0", assertStatus(
                Status.Code.INVALID_ARGUMENT, () -> export(ExportPairsRequest.newBuilder().setMinScoreGap(-1)
                        .build())).getStatus().getDescription());
    }

    private static StatusRuntimeException assertStatus(Status.Code expected, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(expected, e.getStatus().getCode(), e.getStatus().toString());
        return e;
    }
}
