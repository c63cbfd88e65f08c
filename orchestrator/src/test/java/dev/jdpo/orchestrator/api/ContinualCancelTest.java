package dev.jdpo.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CancelContinualJobRequest;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.ContinualRound;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.ContinualTrigger;
import dev.jdpo.proto.v1.CreateContinualJobRequest;
import dev.jdpo.proto.v1.Criterion;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.GetContinualJobRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.PromotionGate;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.RoundStatus;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.UserChoice;
import dev.jdpo.proto.v1.WordLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancelling a continual job in a round cancels the round's run; the round is not promoted. */
class ContinualCancelTest {

    @TempDir
    Path tmp;

    @Test
    void cancellingAJobInARoundCancelsItsRunAndFailsTheRound() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        // 600 pairs of 100 ms: the round's run trains for a minute unless cancelled
        try (OrchestratorServer server = workspace.start(new ScriptedRunExecutor(600, 100, 0),
                Map.of("jdpo.continual-poll", "50ms"));
             RunClient client = new RunClient(server.port())) {
            RunConfig template = workspace.config("cancel").toBuilder().clearData().build();
            Path heldOut = Files.writeString(tmp.resolve("held-out.jsonl"), "{\"prompt\": \"Hi.\"}\n");
            ContinualJob job = jobs(client).createContinualJob(CreateContinualJobRequest.newBuilder().setConfig(
                    ContinualJobConfig.newBuilder().setTask("t").setRunTemplate(template)
                            .setTrigger(ContinualTrigger.newBuilder().setEveryPairs(1))
                            .setGate(PromotionGate.newBuilder().setPromptsFile(heldOut.toString())
                                    .addCriteria(Criterion.newBuilder().setName("short")
                                            .setWordLimit(WordLimit.newBuilder().setMax(5))))).build());
            var feedback = FeedbackServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
            String completion = feedback.logCompletion(LogCompletionRequest.newBuilder().setTask("t").setModel("m")
                    .addMessages(FeedbackMessage.newBuilder().setRole("user").setContent("Hi?"))
                    .addCompletions("Hi.").addCompletions("Go away.").build()).getCompletionIds(0);
            feedback.recordFeedback(RecordFeedbackRequest.newBuilder().setUserChoice(UserChoice.newBuilder()
                    .setChosenCompletionId(completion)).build());

            ContinualJob training = await(client, job.getId(), j -> j.getRoundsCount() == 1
                    && j.getRounds(0).getStatus() == RoundStatus.ROUND_STATUS_TRAINING);
            jobs(client).cancelContinualJob(CancelContinualJobRequest.newBuilder().setJobId(job.getId()).build());
            ContinualJob cancelled = await(client, job.getId(),
                    j -> j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED);

            ContinualRound round = cancelled.getRounds(0);
            assertEquals(RoundStatus.ROUND_STATUS_FAILED, round.getStatus(), round.toString());
            assertEquals(1, round.getFeedbackPairs());
            assertEquals(template.getModel().getPolicy(), cancelled.getPromotedModelDir(), "nothing promoted");
            assertEquals(RunStatus.RUN_STATUS_CANCELLED, client.stub().getRun(GetRunRequest.newBuilder()
                    .setRunId(training.getRounds(0).getRunId()).build()).getStatus());
            assertTrue(cancelled.hasFinishedAt());
        }
    }

    /** A stub with a deadline of its own: one stub reused across the awaits would spend one deadline on all. */
    private static ContinualServiceGrpc.ContinualServiceBlockingStub jobs(RunClient client) {
        return ContinualServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static ContinualJob await(RunClient client, String id, Predicate<ContinualJob> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        ContinualJob job;
        do {
            Thread.sleep(50);
            job = jobs(client).getContinualJob(GetContinualJobRequest.newBuilder().setJobId(id).build());
        } while (!done.test(job) && System.nanoTime() < deadline);
        assertTrue(done.test(job), job.toString());
        return job;
    }
}
