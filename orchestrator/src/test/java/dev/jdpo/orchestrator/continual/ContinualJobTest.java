package dev.jdpo.orchestrator.continual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.OrchestratorProcess;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.ContinualEvent;
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
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.PromotionGate;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.RoundStatus;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.proto.v1.UserChoice;
import dev.jdpo.proto.v1.WatchContinualJobRequest;
import dev.jdpo.proto.v1.WordLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continual jobs through the real engines on the tiny Llama fixture, fed by pairs logged through FeedbackService:
 * rounds train, are gated and committed, and a restarted orchestrator continues a job without losing or reusing a
 * pair.
 */
class ContinualJobTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final Path BASE = REPO.resolve("examples/tiny-llama");
    private static final String TASK = "haiku";

    @TempDir
    Path tmp;

    private int logged;

    private OrchestratorServer start() throws Exception {
        return OrchestratorServer.start(Map.of(
                "jdpo.state-dir", tmp.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(tmp.toString(), REPO.resolve("examples").toString()),
                "jdpo.continual-poll", "100ms",
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", TestWorkspace.freePort()), List.of(), true);
    }

    /** A job on the tiny model: {@code everyPairs} pairs per round, the gate's criterion passed by any answer. */
    private ContinualJobConfig config(int everyPairs, int maxRounds, double maxDrop) throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            prompts.add("{\"prompt\": \"Write about the sea, take " + i + ".\"}");
        }
        Path heldOut = Files.write(tmp.resolve("held-out.jsonl"), prompts);
        return ContinualJobConfig.newBuilder()
                .setName("tiny continual")
                .setTask(TASK)
                .setRunTemplate(RunConfig.newBuilder()
                        .setModel(ModelConfig.newBuilder().setPolicy(BASE.toString()).setDevice("cpu"))
                        .setTraining(TrainingConfig.newBuilder().setBatchSize(2).setMaxSteps(2).setLearningRate(1e-3)
                                .setMaxLength(64).setSeed(3))
                        .setOutput(OutputConfig.newBuilder().setOutputDir(tmp.resolve("job").toString())
                                .setCheckpointInterval(1)))
                .setTrigger(ContinualTrigger.newBuilder().setEveryPairs(everyPairs))
                .setGate(PromotionGate.newBuilder().setPromptsFile(heldOut.toString()).setMaxNewTokens(8)
                        .setMaxPassRateDrop(maxDrop)
                        .addCriteria(Criterion.newBuilder().setName("short")
                                .setWordLimit(WordLimit.newBuilder().setMax(1000))))
                .setMaxRounds(maxRounds)
                .build();
    }

    /** Logs {@code count} requests of two completions and a user choice on each: one pair each. */
    private void logPairs(RunClient client, int count) {
        var feedback = FeedbackServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
        for (int i = 0; i < count; i++) {
            int n = logged++;
            LogCompletionResponse response = feedback.logCompletion(LogCompletionRequest.newBuilder()
                    .addMessages(FeedbackMessage.newBuilder().setRole("user").setContent("Describe wave " + n + "."))
                    .addCompletions("Wave " + n + " is calm.").addCompletions("I cannot describe wave " + n + ".")
                    .setModel("tiny-llama").setTask(TASK).build());
            feedback.recordFeedback(RecordFeedbackRequest.newBuilder().setUserChoice(UserChoice.newBuilder()
                    .setChosenCompletionId(response.getCompletionIds(0))).build());
        }
    }

    private static ContinualServiceGrpc.ContinualServiceBlockingStub jobs(RunClient client) {
        return ContinualServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static ContinualJob await(RunClient client, String id, Predicate<ContinualJob> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        ContinualJob job;
        do {
            Thread.sleep(100);
            job = jobs(client).getContinualJob(GetContinualJobRequest.newBuilder().setJobId(id).build());
        } while (!done.test(job) && System.nanoTime() < deadline);
        assertTrue(done.test(job), job.toString());
        return job;
    }

    private static long committed(ContinualJob job) {
        return job.getRoundsList().stream().filter(r -> r.getStatus() == RoundStatus.ROUND_STATUS_PROMOTED
                || r.getStatus() == RoundStatus.ROUND_STATUS_REJECTED).count();
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.readAllLines(file);
    }

    @Test
    void twoRoundsTrainOnTheirOwnFeedbackPairsEachFromThePreviousPromotedModel() throws Exception {
        try (OrchestratorServer server = start(); RunClient client = new RunClient(server.port())) {
            ContinualJob job = jobs(client).createContinualJob(CreateContinualJobRequest.newBuilder()
                    .setConfig(config(3, 2, 0)).build());
            assertEquals(ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING, job.getStatus());
            assertEquals(BASE.toString(), job.getPromotedModelDir());
            logPairs(client, 3);
            ContinualJob afterFirst = await(client, job.getId(), j -> committed(j) == 1);
            logPairs(client, 3);
            List<ContinualEvent> events = new ArrayList<>();
            ContinualServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(4, TimeUnit.MINUTES)
                    .watchContinualJob(WatchContinualJobRequest.newBuilder().setJobId(job.getId()).build())
                    .forEachRemaining(events::add);
            ContinualJob done = jobs(client).getContinualJob(GetContinualJobRequest.newBuilder()
                    .setJobId(job.getId()).build());

            assertEquals(ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED, done.getStatus(), done.toString());
            assertEquals(ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED, events.get(events.size() - 1).getStatus(),
                    "the watch ends with the terminal status");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1, events.get(i).getSequence(), "every event once, in order");
            }
            ContinualRound first = done.getRounds(0);
            ContinualRound second = done.getRounds(1);
            assertEquals(RoundStatus.ROUND_STATUS_PROMOTED, first.getStatus(), first.toString());
            assertEquals(RoundStatus.ROUND_STATUS_PROMOTED, second.getStatus(), second.toString());
            assertEquals(3, first.getFeedbackPairs());
            assertEquals(3, second.getFeedbackPairs(), "the second round trains on the new pairs only");
            assertEquals(first.getPairsRecordedBefore(), second.getPairsRecordedFrom(), "windows follow each other");
            assertEquals(BASE.toString(), first.getPolicyModelDir());
            assertEquals(first.getResultModelDir(), second.getPolicyModelDir(), "round 2 starts from round 1's model");
            assertEquals(first.getResultModelDir(), second.getReferenceModelDir(), "iterative DPO by default");
            assertEquals(second.getResultModelDir(), done.getPromotedModelDir());
            assertEquals(afterFirst.getRounds(0).getResultModelDir(), done.getRounds(0).getResultModelDir());
            assertEquals(1.0, first.getEvaluation(0).getBefore());
            assertEquals(1.0, first.getEvaluation(0).getAfter());

            Set<String> prompts = new HashSet<>();
            for (ContinualRound round : done.getRoundsList()) {
                Run run = client.stub().getRun(GetRunRequest.newBuilder().setRunId(round.getRunId()).build());
                assertEquals(round.getPolicyModelDir(), run.getConfig().getModel().getPolicy());
                Path pairs = Path.of(run.getConfig().getData().getTrainingFile());
                for (String line : lines(pairs)) {
                    assertTrue(prompts.add(line.substring(0, line.indexOf("preferred_output"))), "a pair used twice");
                }
                assertTrue(events.stream().anyMatch(e -> e.hasRound() && e.getRound().getNumber() == round.getNumber()
                        && e.getRound().getStatus() == RoundStatus.ROUND_STATUS_PROMOTED), "the commit is an event");
            }
            assertEquals(6, prompts.size(), "every logged pair trained once");
        }
    }

    @Test
    void aRoundWhoseModelMissesTheGateIsNotPromotedAndItsPairsAreConsumed() throws Exception {
        try (OrchestratorServer server = start(); RunClient client = new RunClient(server.port())) {
            // a negative margin demands a gain of half the prompts; the criterion already passes everything
            ContinualJob job = jobs(client).createContinualJob(CreateContinualJobRequest.newBuilder()
                    .setConfig(config(2, 1, -0.5)).build());
            logPairs(client, 2);
            ContinualJob done = await(client, job.getId(),
                    j -> j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED);
            ContinualRound round = done.getRounds(0);
            assertEquals(RoundStatus.ROUND_STATUS_REJECTED, round.getStatus(), round.toString());
            assertTrue(round.getReason().contains("criterion short"), round.getReason());
            assertEquals(BASE.toString(), done.getPromotedModelDir(), "the promoted model stays");
            assertFalse(round.getResultModelDir().isEmpty());
            assertEquals(1, committed(done));
        }
    }

    @Test
    void aRestartedOrchestratorContinuesTheRoundWithoutLosingOrReusingAPair() throws Exception {
        String id;
        try (OrchestratorServer server = start(); RunClient client = new RunClient(server.port())) {
            id = jobs(client).createContinualJob(CreateContinualJobRequest.newBuilder()
                    .setConfig(config(3, 2, 0)).build()).getId();
            logPairs(client, 3);
            await(client, id, j -> j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND
                    && !j.getRounds(0).getRunId().isEmpty());
        }
        try (OrchestratorServer server = start(); RunClient client = new RunClient(server.port())) {
            logPairs(client, 3);
            ContinualJob done = await(client, id,
                    j -> j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED
                            || j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED);
            assertEquals(ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED, done.getStatus(), done.toString());
            assertEquals(List.of(3L, 3L), done.getRoundsList().stream().map(ContinualRound::getFeedbackPairs).toList());
            List<Run> runs = client.stub().listRuns(ListRunsRequest.newBuilder().build()).getRunsList();
            assertEquals(2, runs.size(), "one run per round, the first resumed rather than created again: " + runs);
            Set<String> prompts = new HashSet<>();
            for (ContinualRound round : done.getRoundsList()) {
                assertEquals(RoundStatus.ROUND_STATUS_PROMOTED, round.getStatus(), round.toString());
                for (String line : lines(RoundConfig.feedbackPairsFile(done.getConfig(), round.getNumber()))) {
                    assertTrue(prompts.add(line.substring(0, line.indexOf("preferred_output"))), "a pair used twice");
                }
            }
            assertEquals(6, prompts.size(), "no pair lost");
            List<ContinualEvent> events = new ArrayList<>();
            ContinualServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(1, TimeUnit.MINUTES)
                    .watchContinualJob(WatchContinualJobRequest.newBuilder().setJobId(id).build())
                    .forEachRemaining(events::add);
            assertTrue(events.stream().anyMatch(e -> e.getMessage().startsWith("Orchestrator restarted; the job "
                    + "continues")), "the second orchestrator picked the job up: " + events);
        }
    }

    @Test
    void anOrchestratorKilledDuringARoundLosesAndReusesNoPair() throws Exception {
        int port = TestWorkspace.freePort();
        Path state = tmp.resolve("state");
        String id;
        ContinualJobConfig config = config(3, 2, 0);
        // a round long enough for the kill to land while it trains
        config = config.toBuilder().setRunTemplate(config.getRunTemplate().toBuilder().setTraining(
                config.getRunTemplate().getTraining().toBuilder().setMaxSteps(60))).build();
        try (OrchestratorProcess first = OrchestratorProcess.start(tmp, REPO, port, state, "first",
                "jdpo.continual-poll=100ms"); RunClient client = new RunClient(port)) {
            id = jobs(client).createContinualJob(CreateContinualJobRequest.newBuilder().setConfig(config).build())
                    .getId();
            logPairs(client, 3);
            ContinualJob training = await(client, id, j -> j.getStatus()
                    == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND
                    && j.getRounds(0).getStatus() == RoundStatus.ROUND_STATUS_TRAINING);
            Run run = client.stub().getRun(GetRunRequest.newBuilder().setRunId(training.getRounds(0).getRunId())
                    .build());
            while (run.getStep() < 2) {
                Thread.sleep(20);
                run = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            }
            first.kill();
            assertTrue(run.getStep() < 60, "the kill landed while the round trained: " + run);
        }
        try (OrchestratorProcess second = OrchestratorProcess.start(tmp, REPO, port, state, "second",
                "jdpo.continual-poll=100ms"); RunClient client = new RunClient(port)) {
            logPairs(client, 3);
            ContinualJob done = await(client, id,
                    j -> j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED
                            || j.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_FAILED);
            assertEquals(ContinualJobStatus.CONTINUAL_JOB_STATUS_COMPLETED, done.getStatus(),
                    done + "\nsecond orchestrator's log:\n" + second.log());
            assertEquals(List.of(3L, 3L), done.getRoundsList().stream().map(ContinualRound::getFeedbackPairs).toList());
            assertEquals(2, client.stub().listRuns(ListRunsRequest.newBuilder().build()).getRunsCount(),
                    "one run per round, the killed one resumed rather than created again");
            Set<String> prompts = new HashSet<>();
            for (ContinualRound round : done.getRoundsList()) {
                assertEquals(RoundStatus.ROUND_STATUS_PROMOTED, round.getStatus(), round.toString());
                for (String line : lines(RoundConfig.feedbackPairsFile(done.getConfig(), round.getNumber()))) {
                    assertTrue(prompts.add(line.substring(0, line.indexOf("preferred_output"))), "a pair used twice");
                }
            }
            assertEquals(6, prompts.size(), "no pair lost");
        }
    }
}
