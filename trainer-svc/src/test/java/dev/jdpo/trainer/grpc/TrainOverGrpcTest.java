package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.proto.internal.v1.ControlAction;
import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.PairStream;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.LoggedMetrics;
import dev.jdpo.trainer.run.TrainingListener;
import dev.jdpo.trainer.run.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training over an in-process TrainerService gives the engine's own numbers, and honours cancel and resume. */
class TrainOverGrpcTest {

    private static final List<String> TIMING = List.of("tokens_per_second", "pairs_per_second");

    private static List<TrainingPair> pairs;
    private static List<TrainingPair> validation;
    private static InProcessTrainer trainer;

    @BeforeAll
    static void start() throws Exception {
        pairs = Fixtures.withReference(Fixtures.syntheticPairs(10, 31), false);
        validation = Fixtures.withReference(Fixtures.syntheticPairs(3, 32), false);
        trainer = new InProcessTrainer();
    }

    @AfterAll
    static void stop() {
        trainer.close();
    }

    @Test
    void grpcRunReportsWhatADirectRunReports(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().learningRate(2e-3).warmupSteps(1).batchSize(2)
                .maxSteps(4).saveSteps(2).loggingSteps(2).build();
        List<Map<String, Double>> directSteps = new ArrayList<>();
        List<LoggedMetrics> directLogs = new ArrayList<>();
        try (CausalLM policy = Fixtures.trainablePolicy();
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config,
                     new TrainingRun.Output(tmp.resolve("direct"), SaveOptions.defaults()))) {
            run.run(new TrainingListener() {
                @Override
                public void onStep(StepResult result, int totalSteps) {
                    directSteps.add(result.metrics().values());
                }

                @Override
                public void onLog(LoggedMetrics metrics) {
                    directLogs.add(metrics);
                }
            });
        }

        Path out = tmp.resolve("grpc");
        List<TrainProgress> progress = trainer.open()
                .submit(TrainJobs.job("same-metrics", out, config).build(), pairs, List.of()).awaitCompletion();

        Started started = progress.get(0).getStarted();
        assertEquals(4, started.getTotalSteps());
        assertEquals(0, started.getCompletedSteps());
        assertEquals(pairs.size(), started.getTrainingPairs());
        assertEquals(8, started.getPairsLeft(), "4 steps of 2");
        List<TrainProgress> steps = only(progress, TrainProgress.KindCase.STEP);
        assertEquals(List.of(1, 2, 3, 4), steps.stream().map(p -> p.getStep().getStep()).toList());
        for (int i = 0; i < steps.size(); i++) {
            assertSameMetrics(directSteps.get(i), steps.get(i).getStep().getMetricsMap(), "step " + (i + 1));
        }
        List<TrainProgress> logs = only(progress, TrainProgress.KindCase.LOG);
        assertEquals(List.of(2, 4), logs.stream().map(p -> p.getLog().getStep()).toList());
        for (int i = 0; i < logs.size(); i++) {
            assertSameMetrics(directLogs.get(i).values(), logs.get(i).getLog().getMetricsMap(), "log " + i);
        }
        List<TrainProgress> checkpoints = only(progress, TrainProgress.KindCase.CHECKPOINT);
        assertEquals(List.of(2, 4), checkpoints.stream().map(p -> p.getCheckpoint().getStep()).toList());
        for (TrainProgress checkpoint : checkpoints) {
            Path dir = Path.of(checkpoint.getCheckpoint().getPath());
            assertEquals(Checkpoints.directory(out, checkpoint.getCheckpoint().getStep()), dir);
            assertTrue(Files.isRegularFile(dir.resolve("trainer_state.json")), dir + " is a complete checkpoint");
        }
        assertTrue(only(progress, TrainProgress.KindCase.EVAL).isEmpty(), "no validation pairs, no evaluation");
        Finished finished = progress.get(progress.size() - 1).getFinished();
        assertEquals(TrainStatus.TRAIN_STATUS_SUCCEEDED, finished.getStatus());
        assertEquals(4, finished.getFinalStep());
        assertEquals(out.resolve("final").toString(), finished.getFinalDir());
        assertTrue(Files.isRegularFile(out.resolve("final/config.json")));
        assertEquals(Checkpoints.directory(out, 4).toString(), finished.getLastCheckpoint());
    }

    @Test
    void evaluatesEveryEvalStepsAndAfterTheLastStep(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().learningRate(5e-3).batchSize(2).maxSteps(5).saveSteps(0)
                .build();
        TrainJob.Builder job = TrainJobs.job("eval", tmp, config).setEvalBatchSize(2);
        job.getOutputBuilder().setEvalInterval(2);
        List<TrainProgress> progress = trainer.open().submit(job.build(), pairs, validation).awaitCompletion();

        assertEquals(validation.size(), progress.get(0).getStarted().getValidationPairs());
        List<TrainProgress> evals = only(progress, TrainProgress.KindCase.EVAL);
        assertEquals(List.of(2, 4, 5), evals.stream().map(p -> p.getEval().getStep()).toList());
        for (TrainProgress eval : evals) {
            Map<String, Double> metrics = eval.getEval().getMetricsMap();
            for (String key : List.of("eval_loss", "eval_rewards/chosen", "eval_rewards/rejected",
                    "eval_rewards/accuracies", "eval_rewards/margins", "eval_logps/chosen", "eval_logps/rejected",
                    "eval_logits/chosen", "eval_logits/rejected", "eval_runtime", "eval_samples_per_second",
                    "epoch")) {
                assertTrue(Double.isFinite(metrics.getOrDefault(key, Double.NaN)), key + " at step "
                        + eval.getEval().getStep());
            }
            int index = progress.indexOf(eval);
            assertEquals(eval.getEval().getStep(), progress.get(index - 1).getStep().getStep(),
                    "an evaluation follows the step it evaluates");
        }
        assertNotEquals(evals.get(0).getEval().getMetricsOrThrow("eval_loss"),
                evals.get(1).getEval().getMetricsOrThrow("eval_loss"), "training moved the validation loss");
    }

    @Test
    void cancelStopsAtAStepBoundaryWithACheckpoint(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(200).saveSteps(0).loggingSteps(50)
                .build();
        TrainClientCall call = trainer.open().submit(TrainJobs.job("cancel", tmp, config).build(), pairs, List.of());
        call.awaitMessage(p -> p.hasStep() && p.getStep().getStep() >= 2);
        call.control(ControlAction.CONTROL_ACTION_CANCEL);
        List<TrainProgress> progress = call.awaitCompletion();

        Finished finished = progress.get(progress.size() - 1).getFinished();
        assertEquals(TrainStatus.TRAIN_STATUS_CANCELLED, finished.getStatus());
        int step = finished.getFinalStep();
        assertTrue(step >= 2 && step < 200, "stopped at step " + step);
        assertEquals("", finished.getFinalDir());
        Path checkpoint = Checkpoints.directory(tmp, step);
        assertEquals(checkpoint.toString(), finished.getLastCheckpoint());
        assertTrue(Files.isRegularFile(checkpoint.resolve("trainer_state.json")));
        assertEquals(step, only(progress, TrainProgress.KindCase.CHECKPOINT).get(0).getCheckpoint().getStep());
        assertFalse(Files.exists(tmp.resolve("final")));
    }

    @Test
    void clientThatGoesAwayLeavesAResumableCheckpoint(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(200).saveSteps(0).build();
        TrainClientCall call = trainer.open().submit(TrainJobs.job("gone", tmp, config).build(), pairs, List.of());
        call.awaitMessage(p -> p.hasStep() && p.getStep().getStep() >= 1);
        call.cancel();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (Checkpoints.list(tmp).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<Path> checkpoints = Checkpoints.list(tmp);
        assertEquals(1, checkpoints.size(), "one checkpoint at the step where the client left");
        assertTrue(Files.isRegularFile(checkpoints.get(0).resolve("trainer_state.json")));
        assertFalse(Files.exists(tmp.resolve("final")));
        GrpcErrorsTest.awaitIdle(trainer);
    }

    @Test
    void resumeContinuesTheUninterruptedTrajectory(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().learningRate(2e-3).scheduler(SchedulerType.COSINE)
                .warmupSteps(1).weightDecay(0.01).batchSize(3).maxSteps(6).saveSteps(3).build();
        Path straight = tmp.resolve("straight");
        List<TrainProgress> whole = trainer.open()
                .submit(TrainJobs.job("straight", straight, config).build(), pairs, List.of()).awaitCompletion();

        Path resumed = tmp.resolve("resumed");
        TrainJob.Builder resume = TrainJobs.job("resumed", resumed, config);
        resume.getOutputBuilder().setResumeFromCheckpoint(Checkpoints.directory(straight, 3).toString());
        List<TrainProgress> rest = trainer.open().submit(resume.build(), pairs, List.of()).awaitCompletion();

        assertEquals(3, rest.get(0).getStarted().getCompletedSteps());
        assertEquals(1 + 3 + 3, rest.get(0).getStarted().getPairsLeft(),
                "of 10 pairs at 3 a step, step 4 takes the epoch's last one, steps 5 and 6 three each");
        List<TrainProgress> wholeSteps = only(whole, TrainProgress.KindCase.STEP);
        List<TrainProgress> restSteps = only(rest, TrainProgress.KindCase.STEP);
        assertEquals(List.of(4, 5, 6), restSteps.stream().map(p -> p.getStep().getStep()).toList());
        for (int i = 0; i < restSteps.size(); i++) {
            assertSameMetrics(wholeSteps.get(3 + i).getStep().getMetricsMap(),
                    restSteps.get(i).getStep().getMetricsMap(), "step " + (4 + i));
        }
        Finished finished = rest.get(rest.size() - 1).getFinished();
        assertEquals(TrainStatus.TRAIN_STATUS_SUCCEEDED, finished.getStatus());
        assertEquals(6, finished.getFinalStep());
        assertTrue(Files.isRegularFile(resumed.resolve("final/config.json")));
    }

    @Test
    void cancelBeforeEndOfPairsTrainsNothing(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(3).build();
        TrainClientCall call = trainer.open();
        call.send(TrainInput.newBuilder()
                .setJob(TrainJobs.job("early-cancel", tmp, config)).build());
        call.send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pairs.get(0), 0))
                .build());
        call.control(ControlAction.CONTROL_ACTION_CANCEL);
        List<TrainProgress> progress = call.awaitCompletion();

        assertEquals(1, progress.size());
        assertEquals(TrainStatus.TRAIN_STATUS_CANCELLED, progress.get(0).getFinished().getStatus());
        assertEquals(0, progress.get(0).getFinished().getFinalStep());
        assertFalse(Files.exists(tmp.resolve("final")));
        assertTrue(Checkpoints.list(tmp).isEmpty());
    }

    @Test
    void cancelWhileTheTrainerWaitsForAStreamedPairEndsTheJob(@TempDir Path tmp) throws Exception {
        TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(3).build();
        TrainClientCall call = trainer.open();
        call.send(TrainInput.newBuilder().setJob(TrainJobs.job("starved", tmp, config)).build());
        call.send(TrainInput.newBuilder().setPairStream(PairStream.newBuilder().setTrainingPairs(pairs.size())
                .setDatasetFingerprint("streamed")).build());
        call.awaitMessage(TrainProgress::hasStarted);
        // one pair of the first batch's two: the training thread waits for a pair that will not come
        call.send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pairs.get(0), 0)).build());
        call.awaitMessage(p -> p.hasPairsTaken() && p.getPairsTaken().getCount() == 1);
        call.control(ControlAction.CONTROL_ACTION_CANCEL);
        List<TrainProgress> progress = call.awaitCompletion();

        Finished finished = progress.get(progress.size() - 1).getFinished();
        assertEquals(TrainStatus.TRAIN_STATUS_CANCELLED, finished.getStatus());
        assertEquals(0, finished.getFinalStep());
        assertFalse(Files.exists(tmp.resolve("final")));
    }

    static List<TrainProgress> only(List<TrainProgress> progress, TrainProgress.KindCase kind) {
        return progress.stream().filter(p -> p.getKindCase() == kind).toList();
    }

    private static void assertSameMetrics(Map<String, Double> expected, Map<String, Double> actual, String where) {
        assertEquals(expected.keySet(), actual.keySet(), where);
        for (String key : expected.keySet()) {
            if (!TIMING.contains(key)) {
                assertEquals(expected.get(key), actual.get(key), 1e-6 * Math.max(1, Math.abs(expected.get(key))),
                        where + " " + key);
            }
        }
    }
}
