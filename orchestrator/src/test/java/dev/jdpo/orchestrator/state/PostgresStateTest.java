package dev.jdpo.orchestrator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.feedback.FeedbackRecorder;
import dev.jdpo.orchestrator.feedback.PairExporter;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.PostgresServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.ContinualEvent;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.ContinualRound;
import dev.jdpo.proto.v1.CriteriaScore;
import dev.jdpo.proto.v1.EventLevel;
import dev.jdpo.proto.v1.ExportPairsRequest;
import dev.jdpo.proto.v1.ExportSummary;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.PreferencePair;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunError;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.StatusChange;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.proto.v1.UserChoice;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run state on a real PostgreSQL server (started by the test): what the H2 tests trust it for, plus a
 * restart of the state database and of a whole orchestrator.
 */
class PostgresStateTest {

    private static final long T0 = 1_700_000_000_123L;

    private static PostgresServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPostgres() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void flywayMigratesANewDatabase() {
        DatabaseSettings settings = server.createDatabase("migrate");
        try (StateDatabase db = StateDatabase.open(settings)) {
            assertEquals(List.of("checkpoints", "continual_events", "continual_jobs", "events", "feedback_completions",
                    "feedback_pairs", "feedback_records", "feedback_requests", "feedback_scores",
                    "flyway_schema_history", "metrics", "runs"), tables(db));
            List<String> migrations = migrations(db);
            assertEquals(3, migrations.size(), "three migrations: " + migrations);
            assertTrue(migrations.get(0).startsWith("1 true "), migrations.get(0));
            assertTrue(migrations.get(1).startsWith("2 true "), migrations.get(1));
            assertTrue(migrations.get(2).startsWith("3 true "), migrations.get(2));
        }
    }

    @Test
    void runEventsMetricsAndCheckpointsSurviveReopen() {
        DatabaseSettings settings = server.createDatabase("reopen");
        RunConfig config = RunConfig.newBuilder().setName("pg")
                .setTraining(TrainingConfig.newBuilder().setBeta(0.25).setLearningRate(5e-7).addLossTypes("sigmoid"))
                .build();
        Run run;
        List<RunEvent> events;
        List<Checkpoint> checkpoints;
        Map<Long, Double> loss;
        List<String> migrations;
        try (StateDatabase db = StateDatabase.open(settings)) {
            RunRepository runs = new RunRepository(db);
            EventJournal journal = new EventJournal(db, runs);
            runs.insert("run-pg", "pg", RunStatus.RUN_STATUS_VALIDATING_FILES, config, T0);
            List<RunEvent> appended = new ArrayList<>();
            appended.add(journal.append(status("run-pg", 1, RunStatus.RUN_STATUS_QUEUED)));
            appended.add(journal.append(event("run-pg", 2).setHyperparameters(
                    ResolvedHyperparameters.newBuilder().setBeta(0.25).setLearningRate(5e-7).setTotalSteps(3))));
            appended.add(journal.append(status("run-pg", 3, RunStatus.RUN_STATUS_RUNNING)));
            appended.add(journal.append(metrics("run-pg", 4, 1, 0.69)));
            appended.add(journal.append(metrics("run-pg", 5, 2, 0.5)));
            appended.add(journal.append(event("run-pg", 6).setCheckpoint(Checkpoint.newBuilder().setStep(2)
                    .setPath("/runs/pg/checkpoint-2").setCreatedAt(Timestamps.ofMillis(T0 + 6)).putMetrics("loss", 0.5))));
            appended.add(journal.append(metrics("run-pg", 7, 2, 0.45)));
            appended.add(journal.append(metrics("run-pg", 8, 3, 0.25)));
            appended.add(journal.append(event("run-pg", 9).setStatusChange(StatusChange.newBuilder()
                    .setStatus(RunStatus.RUN_STATUS_SUCCEEDED).setResultModelDir("/runs/pg/final"))));
            assertNull(journal.append(status("run-pg", 10, RunStatus.RUN_STATUS_RUNNING)),
                    "a terminal run takes no more events");

            assertEquals(LongStream.rangeClosed(1, 9).boxed().toList(), appended.stream().map(RunEvent::getSequence).toList());
            events = journal.readAfter("run-pg", 0, 1000);
            assertEquals(appended, events);
            assertEquals(appended.subList(3, 5), journal.readAfter("run-pg", 3, 2));

            run = runs.find("run-pg").orElseThrow();
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, run.getStatus());
            assertEquals(config, run.getConfig());
            assertEquals(Timestamps.ofMillis(T0), run.getCreatedAt());
            assertEquals(Timestamps.ofMillis(T0 + 3), run.getStartedAt());
            assertEquals(Timestamps.ofMillis(T0 + 9), run.getFinishedAt());
            assertEquals(3, run.getStep());
            assertEquals(3, run.getTotalSteps());
            assertEquals(9, run.getLastSequence());
            assertEquals(0.25, run.getHyperparameters().getBeta());
            assertEquals("/runs/pg/final", run.getResultModelDir());

            loss = new MetricRepository(db).series("run-pg", "loss");
            assertEquals(Map.of(1L, 0.69, 2L, 0.45, 3L, 0.25), loss, "a step reported again keeps its latest value");
            assertEquals(List.of(1L, 2L, 3L), List.copyOf(loss.keySet()));

            checkpoints = new CheckpointRepository(db).list("run-pg");
            assertEquals(List.of(Checkpoint.newBuilder().setId("run-pg/step-2").setRunId("run-pg").setStep(2)
                    .setPath("/runs/pg/checkpoint-2").setCreatedAt(Timestamps.ofMillis(T0 + 6)).putMetrics("loss", 0.5)
                    .build()), checkpoints);
            migrations = migrations(db);
        }

        try (StateDatabase reopened = StateDatabase.open(settings)) {
            RunRepository runs = new RunRepository(reopened);
            assertEquals(run, runs.find("run-pg").orElseThrow());
            assertEquals(events, new EventJournal(reopened, runs).readAfter("run-pg", 0, 1000));
            assertEquals(loss, new MetricRepository(reopened).series("run-pg", "loss"));
            assertEquals(checkpoints, new CheckpointRepository(reopened).list("run-pg"));
            assertEquals(migrations, migrations(reopened), "reopening applies no migration again");
        }
    }

    @Test
    void feedbackPairsPageAcrossTheExportAndConcurrentScoresDeriveInTurn() throws Exception {
        try (StateDatabase db = StateDatabase.open(server.createDatabase("feedback"))) {
            FeedbackRepository repository = new FeedbackRepository(db);
            FeedbackRecorder recorder = new FeedbackRecorder(repository, Clock.systemUTC());
            // 300 choices among 3 completions: 600 pairs, more than one export page
            for (int i = 0; i < 300; i++) {
                LogCompletionResponse logged = recorder.logCompletion(request("choice", "prompt " + i, 3));
                recorder.record(RecordFeedbackRequest.newBuilder().setUserChoice(UserChoice.newBuilder()
                        .setChosenCompletionId(logged.getCompletionIds(0))).build());
            }
            LogCompletionResponse scored = recorder.logCompletion(request("scores", "score me", 8));
            ExecutorService writers = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int completion = i;
                    done.add(writers.submit(() -> recorder.record(RecordFeedbackRequest.newBuilder()
                            .setCriteriaScore(CriteriaScore.newBuilder().setCriterion("c").setScore(completion)
                                    .setCompletionId(scored.getCompletionIds(completion))).build())));
                }
                for (Future<?> writer : done) {
                    writer.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
            }

            PairExporter exporter = new PairExporter(repository);
            List<PreferencePair> choices = new ArrayList<>();
            ExportSummary summary = exporter.export(ExportPairsRequest.newBuilder().setTask("choice").build(),
                    choices::add);
            assertEquals(600, summary.getPairs());
            assertEquals(600, choices.size());
            assertEquals(600, choices.stream().map(pair -> pair.getInput().getMessages(0).getContent() + "|"
                    + pair.getNonPreferredOutput(0).getContent()).distinct().count(), "each pair once");
            assertEquals(0, summary.getDuplicatesMerged());

            List<PreferencePair> criteria = new ArrayList<>();
            exporter.export(ExportPairsRequest.newBuilder().setTask("scores").build(), criteria::add);
            assertEquals(1, criteria.size(), "eight concurrent scores leave one pair: highest over lowest");
            assertEquals("answer 7", criteria.get(0).getPreferredOutput(0).getContent());
            assertEquals("answer 0", criteria.get(0).getNonPreferredOutput(0).getContent());
        }
    }

    private static LogCompletionRequest request(String task, String prompt, int completions) {
        LogCompletionRequest.Builder request = LogCompletionRequest.newBuilder().setTask(task).setModel("m")
                .addMessages(FeedbackMessage.newBuilder().setRole("user").setContent(prompt));
        for (int i = 0; i < completions; i++) {
            request.addCompletions("answer " + i);
        }
        return request.build();
    }

    @Test
    void failedRunKeepsItsErrorAndListsByStatus() {
        try (StateDatabase db = StateDatabase.open(server.createDatabase("statuses"))) {
            RunRepository runs = new RunRepository(db);
            EventJournal journal = new EventJournal(db, runs);
            runs.insert("run-a", "a", RunStatus.RUN_STATUS_QUEUED, RunConfig.getDefaultInstance(), T0);
            runs.insert("run-b", "b", RunStatus.RUN_STATUS_QUEUED, RunConfig.getDefaultInstance(), T0 + 1);
            runs.insert("run-c", "c", RunStatus.RUN_STATUS_QUEUED, RunConfig.getDefaultInstance(), T0 + 2);
            RunError error = RunError.newBuilder().setCode("service_unavailable")
                    .setMessage("reference service unreachable at step 4").build();
            journal.append(event("run-b", 1).setLevel(EventLevel.EVENT_LEVEL_ERROR).setMessage("failed")
                    .setStatusChange(StatusChange.newBuilder().setStatus(RunStatus.RUN_STATUS_FAILED).setError(error)));
            runs.markCancelRequested("run-c");

            Run failed = runs.find("run-b").orElseThrow();
            assertEquals(error, failed.getError());
            assertEquals(EventLevel.EVENT_LEVEL_ERROR, journal.readAfter("run-b", 0, 10).get(0).getLevel());
            assertTrue(runs.find("run-c").orElseThrow().getCancelRequested());
            assertEquals(List.of("run-a", "run-c"), runs.withStatus(List.of(RunStatus.RUN_STATUS_QUEUED)).stream()
                    .map(Run::getId).toList());

            Page<Run> first = runs.page(Long.MAX_VALUE, 2, null);
            assertEquals(List.of("run-c", "run-b"), first.items().stream().map(Run::getId).toList());
            assertEquals(List.of("run-a"), runs.page(first.nextBeforeOrdinal(), 2, null).items().stream()
                    .map(Run::getId).toList());
        }
    }

    @Test
    void concurrentAppendsToOneRunGetGaplessSequences() throws Exception {
        try (StateDatabase db = StateDatabase.open(server.createDatabase("concurrent"))) {
            RunRepository runs = new RunRepository(db);
            EventJournal journal = new EventJournal(db, runs);
            runs.insert("run-busy", "busy", RunStatus.RUN_STATUS_RUNNING, RunConfig.getDefaultInstance(), T0);
            ConcurrentLinkedQueue<Long> sequences = new ConcurrentLinkedQueue<>();
            ExecutorService writers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    done.add(writers.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            sequences.add(journal.append(event("run-busy", i).setMessage("tick")).getSequence());
                        }
                    }));
                }
                for (Future<?> writer : done) {
                    writer.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
            }
            List<Long> expected = LongStream.rangeClosed(1, 100).boxed().toList();
            assertEquals(expected, sequences.stream().sorted().toList(), "every append got its own sequence");
            assertEquals(expected, journal.readAfter("run-busy", 0, 1000).stream().map(RunEvent::getSequence).toList());
            assertEquals(100, runs.find("run-busy").orElseThrow().getLastSequence());
        }
    }

    @Test
    void concurrentChangesOfOneContinualJobAreSerializedWithTheirEvents() throws Exception {
        try (StateDatabase db = StateDatabase.open(server.createDatabase("continual"))) {
            ContinualRepository jobs = new ContinualRepository(db);
            jobs.insert(ContinualJob.newBuilder().setId("cjob-busy").setName("busy")
                    .setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING).setCreatedAt(Timestamps.ofMillis(T0))
                    .build(), ContinualEvent.newBuilder().setMessage("created"));
            ExecutorService writers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    done.add(writers.submit(() -> {
                        for (int i = 0; i < 10; i++) {
                            // each change reads the job under the row lock: no round number is taken twice
                            jobs.change("cjob-busy", T0, job -> new ContinualRepository.Changed(job.toBuilder()
                                    .addRounds(ContinualRound.newBuilder().setNumber(job.getRoundsCount() + 1))
                                    .build(), ContinualEvent.newBuilder().setMessage("round")));
                        }
                    }));
                }
                for (Future<?> writer : done) {
                    writer.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
            }
            ContinualJob job = jobs.find("cjob-busy").orElseThrow();
            assertEquals(IntStream.rangeClosed(1, 40).boxed().toList(),
                    job.getRoundsList().stream().map(ContinualRound::getNumber).toList());
            assertEquals(41, job.getLastSequence());
            assertEquals(LongStream.rangeClosed(1, 41).boxed().toList(),
                    jobs.eventsAfter("cjob-busy", 0, 100).stream().map(ContinualEvent::getSequence).toList());
            assertEquals(List.of("cjob-busy"), jobs.unfinished().stream().map(ContinualJob::getId).toList());
        }
    }

    @Test
    void orchestratorOnPostgresListsAndResumesRunsAfterRestart() throws Exception {
        DatabaseSettings database = server.createDatabase("orchestrator");
        TestWorkspace workspace = new TestWorkspace(tmp);
        String finishedId;
        String interruptedId;
        List<RunEvent> finishedEvents;
        // 100 steps of 30 ms: the interrupted run is still seconds from its end when the first orchestrator stops.
        try (OrchestratorServer first = start(workspace, database, new ScriptedRunExecutor(100, 30, 3));
             RunClient client = new RunClient(first.port())) {
            finishedId = first.runs().create(workspace.config("finished")).getId();
            finishedEvents = client.watch(finishedId, 0);
            interruptedId = first.runs().create(workspace.config("interrupted")).getId();
            waitForStep(first, interruptedId, 4);
        }

        ScriptedRunExecutor resumed = new ScriptedRunExecutor(100, 2, 3);
        try (OrchestratorServer second = start(workspace, database, resumed);
             RunClient client = new RunClient(second.port())) {
            List<Run> listed = client.stub().listRuns(ListRunsRequest.getDefaultInstance()).getRunsList();
            assertEquals(List.of(interruptedId, finishedId), listed.stream().map(Run::getId).toList());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, listed.get(1).getStatus());
            assertEquals(finishedEvents, client.watch(finishedId, 0));

            List<RunEvent> all = client.watch(interruptedId, 0);
            assertEquals(LongStream.rangeClosed(1, all.size()).boxed().toList(),
                    all.stream().map(RunEvent::getSequence).toList(), "sequences stay contiguous across the restart");
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, all.get(all.size() - 1).getStatusChange().getStatus());
            assertEquals(1, resumed.starts().size());
            assertTrue(resumed.starts().get(0).resumeFrom().orElseThrow().getStep() >= 4);
            assertEquals(Set.copyOf(LongStream.rangeClosed(1, 100).boxed().toList()),
                    new MetricRepository(second.context().getBean(StateDatabase.class))
                            .series(interruptedId, "loss").keySet());
        }
    }

    @Test
    void aWrongPasswordStopsTheOrchestratorWithTheDatabasesOwnMessage() throws Exception {
        DatabaseSettings database = server.createDatabase("wrong_password");
        DatabaseSettings wrong = new DatabaseSettings(database.url(), database.user(), database.password() + "x");
        StateUnavailableException refused = assertThrows(StateUnavailableException.class,
                () -> start(new TestWorkspace(tmp), wrong, new ScriptedRunExecutor(1, 1, 1)));
        assertTrue(refused.getMessage().contains(database.url()), refused.getMessage());
        assertTrue(refused.getMessage().contains("password authentication failed"), refused.getMessage());
        assertFalse(refused.getMessage().contains("Path Taken"), "no Micronaut bean report: " + refused.getMessage());
    }

    private static OrchestratorServer start(TestWorkspace workspace, DatabaseSettings database,
                                            ScriptedRunExecutor executor) throws Exception {
        return OrchestratorServer.start(Map.of(
                "jdpo.executor", "scripted",
                "jdpo.database-url", database.url(),
                "jdpo.database-user", database.user(),
                "jdpo.database-password", database.password(),
                "jdpo.state-dir", workspace.stateDir().toString(),
                "jdpo.allowed-roots", List.of(workspace.root().toString()),
                "jdpo.cancel-wait", "10s",
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", TestWorkspace.freePort()), List.of(executor), true);
    }

    private static void waitForStep(OrchestratorServer orchestrator, String runId, long step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (orchestrator.runs().get(runId).getStep() < step) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " did not reach step " + step);
            }
            Thread.sleep(10);
        }
    }

    private static RunEvent.Builder event(String runId, long millisAfterT0) {
        return RunEvent.newBuilder().setRunId(runId).setTime(Timestamps.ofMillis(T0 + millisAfterT0))
                .setLevel(EventLevel.EVENT_LEVEL_INFO).setMessage("event at +" + millisAfterT0 + " ms");
    }

    private static RunEvent.Builder status(String runId, long millisAfterT0, RunStatus status) {
        return event(runId, millisAfterT0).setStatusChange(StatusChange.newBuilder().setStatus(status));
    }

    private static RunEvent.Builder metrics(String runId, long millisAfterT0, long step, double loss) {
        return event(runId, millisAfterT0).setMetrics(MetricsReport.newBuilder().setStep(step).setTotalSteps(3)
                .putValues("loss", loss).putValues("rewards/accuracies", 0.5));
    }

    private static List<String> tables(StateDatabase db) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'public' ORDER BY table_name");
                 ResultSet rs = s.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                return names;
            }
        });
    }

    /** Flyway's history, one "version success" line per applied migration (with its time, to spot a rerun). */
    private static List<String> migrations(StateDatabase db) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT version, success, installed_on FROM flyway_schema_history ORDER BY installed_rank");
                 ResultSet rs = s.executeQuery()) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getBoolean(2) + " " + rs.getTimestamp(3));
                }
                return rows;
            }
        });
    }
}
