package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.ControlAction;
import dev.jdpo.proto.internal.v1.EndOfPairs;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad jobs and bad pairs end the call with a status that names the field; a second concurrent job is refused. */
class GrpcErrorsTest {

    private static final TrainingConfig CONFIG = TrainingConfig.builder().batchSize(2).maxSteps(2).build();

    private static List<TrainingPair> pairs;
    private static InProcessTrainer trainer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        pairs = Fixtures.withReference(Fixtures.syntheticPairs(4, 41), false);
        trainer = new InProcessTrainer();
    }

    @AfterAll
    static void stop() {
        trainer.close();
    }

    @Test
    void outOfRangeHyperparameterIsInvalidArgumentNamingIt() throws Exception {
        TrainJob job = TrainJobs.job("bad-beta", tmp, CONFIG)
                .setTraining(TrainJobs.training(CONFIG).toBuilder().setBeta(-1)).build();
        StatusRuntimeException error = failureOf(job, pairs);
        assertFailure(error, Status.Code.INVALID_ARGUMENT, "invalid_config", "training.beta");
        assertEquals("training.beta: must be a finite number > 0, got -1.0", error.getStatus().getDescription());
    }

    @Test
    void stepCountsBeyond32BitsAreInvalidArgumentNamingTheField() throws Exception {
        dev.jdpo.proto.v1.TrainingConfig base = TrainJobs.training(CONFIG);
        StatusRuntimeException maxSteps = failureOf(TrainJobs.job("huge-max-steps", tmp, CONFIG)
                .setTraining(base.toBuilder().setMaxSteps(Long.MAX_VALUE)).build(), pairs);
        assertFailure(maxSteps, Status.Code.INVALID_ARGUMENT, "invalid_config", "training.max_steps");
        // each epoch's steps fit, but 2^31-1 epochs of them do not: once an ArithmeticException
        StatusRuntimeException epochs = failureOf(TrainJobs.job("huge-epochs", tmp, CONFIG)
                .setTraining(base.toBuilder().clearMaxSteps().setEpochs(Integer.MAX_VALUE)).build(), pairs);
        assertFailure(epochs, Status.Code.INVALID_ARGUMENT, "invalid_config", "training.epochs");
        assertTrue(epochs.getStatus().getDescription().contains("at most 2147483647"),
                epochs.getStatus().getDescription());
    }

    @Test
    void unknownLossAndDtypeNameTheMessageFields() throws Exception {
        dev.jdpo.proto.v1.TrainingConfig base = TrainJobs.training(CONFIG);
        StatusRuntimeException loss = failureOf(TrainJobs.job("bad-loss", tmp, CONFIG)
                .setTraining(base.toBuilder().clearLossTypes().addLossTypes("dpo")).build(), pairs);
        assertFailure(loss, Status.Code.INVALID_ARGUMENT, "invalid_config", "training.loss_types");
        assertTrue(loss.getStatus().getDescription().contains("unknown loss 'dpo'"), loss.getStatus().getDescription());
        TrainJob.Builder badDtype = TrainJobs.job("bad-dtype", tmp, CONFIG);
        badDtype.getOutputBuilder().setSaveDtype("fp8");
        StatusRuntimeException dtype = failureOf(badDtype.build(), pairs);
        assertFailure(dtype, Status.Code.INVALID_ARGUMENT, "invalid_config", "output.save_dtype");
        StatusRuntimeException scheduler = failureOf(TrainJobs.job("bad-scheduler", tmp, CONFIG)
                .setTraining(base.toBuilder().setLrScheduler("step")).build(), pairs);
        assertFailure(scheduler, Status.Code.INVALID_ARGUMENT, "invalid_config", "training.lr_scheduler");
    }

    @Test
    void missingOrUnloadableJobFieldsAreNamed() throws Exception {
        TrainJob.Builder noOut = TrainJobs.job("no-out", tmp, CONFIG);
        noOut.getOutputBuilder().clearOutputDir();
        assertFailure(failureOf(noOut.build(), pairs), Status.Code.INVALID_ARGUMENT, "invalid_job", "output.output_dir");
        Path notAModel = Files.createDirectories(tmp.resolve("empty"));
        assertFailure(failureOf(TrainJobs.job("no-model", tmp, CONFIG).setPolicyPath(notAModel.toString()).build(),
                pairs), Status.Code.INVALID_ARGUMENT, "invalid_model", "policy_path");
        assertFailure(failureOf(TrainJobs.job("bad-pad", tmp, CONFIG).setPadId(100_000).build(), pairs),
                Status.Code.INVALID_ARGUMENT, "invalid_job", "pad_id");
        assertFailure(failureOf(TrainJobs.job("bad-device", tmp, CONFIG).setDevice("tpu").build(), pairs),
                Status.Code.INVALID_ARGUMENT, "invalid_job", "device");
        TrainJob.Builder noCheckpoint = TrainJobs.job("no-checkpoint", tmp, CONFIG);
        noCheckpoint.getOutputBuilder().setResumeFromCheckpoint(tmp.resolve("checkpoint-7").toString());
        StatusRuntimeException resume = failureOf(noCheckpoint.build(), pairs);
        assertFailure(resume, Status.Code.FAILED_PRECONDITION, "checkpoint_error", "output.resume_from_checkpoint");
    }

    @Test
    void badPairsAreInvalidArgumentNamingThePair() throws Exception {
        TrainingPair outside = new TrainingPair(new PairTokens(new int[] {5, 6}, new int[] {7, 9999}, new int[] {8}),
                pairs.get(0).reference());
        StatusRuntimeException vocabulary = failureOf(TrainJobs.job("vocab", tmp, CONFIG).build(),
                List.of(pairs.get(0), outside));
        assertFailure(vocabulary, Status.Code.INVALID_ARGUMENT, "invalid_pair", "pair");
        String description = vocabulary.getStatus().getDescription();
        assertTrue(description.contains("pair 1 has chosen token id 9999 outside the policy's vocabulary"),
                description);

        TrainingPair unscored = new TrainingPair(new PairTokens(new int[] {5}, new int[] {7}, new int[] {8}), null);
        assertFailure(failureOf(TrainJobs.job("unscored", tmp, CONFIG).build(), List.of(unscored)),
                Status.Code.INVALID_ARGUMENT, "invalid_pair", "pair");

        TrainingConfig ldDpo = CONFIG.toBuilder().ldAlpha(0.5).build();
        StatusRuntimeException sumsOnly = failureOf(TrainJobs.job("ld", tmp, ldDpo).build(), pairs);
        assertFailure(sumsOnly, Status.Code.INVALID_ARGUMENT, "invalid_pair", "pair");
        assertTrue(sumsOnly.getStatus().getDescription().startsWith("ld_alpha: "), sumsOnly.getStatus().getDescription());
    }

    @Test
    void messagesOutOfOrderAreRefused() throws Exception {
        TrainClientCall pairFirst = trainer.open();
        pairFirst.send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pairs.get(0), 0)).build());
        assertFailure(pairFirst.awaitFailure(), Status.Code.INVALID_ARGUMENT, "invalid_job", "pair");

        TrainClientCall noPairs = trainer.open();
        noPairs.send(TrainInput.newBuilder().setJob(TrainJobs.job("empty", tmp, CONFIG)).build());
        noPairs.send(TrainInput.newBuilder().setEndOfPairs(EndOfPairs.getDefaultInstance()).build());
        assertFailure(noPairs.awaitFailure(), Status.Code.INVALID_ARGUMENT, "invalid_job", "pair");

        TrainClientCall abandoned = trainer.open();
        abandoned.send(TrainInput.newBuilder().setJob(TrainJobs.job("abandoned", tmp, CONFIG)).build());
        abandoned.halfClose();
        assertFailure(abandoned.awaitFailure(), Status.Code.INVALID_ARGUMENT, "invalid_job", "end_of_pairs");
        awaitIdle(trainer);
    }

    @Test
    void divergenceIsFailedPreconditionNamingTheStepAndKeptCheckpoint() throws Exception {
        // lr 1e30 pushes the weights to ~1e30 in step 1, so step 2's forward pass overflows
        TrainingConfig exploding = TrainingConfig.builder().learningRate(1e30).maxGradNorm(0)
                .scheduler(SchedulerType.CONSTANT).batchSize(2).maxSteps(5).saveSteps(1).build();
        StatusRuntimeException error = failureOf(TrainJobs.job("diverge", tmp, exploding).build(), pairs);
        assertFailure(error, Status.Code.FAILED_PRECONDITION, "training_diverged", null);
        String description = error.getStatus().getDescription();
        assertTrue(description.startsWith("step 2: "), description);
        assertTrue(description.endsWith("the last good checkpoint is " + tmp.resolve("checkpoint-1")), description);
        awaitIdle(trainer);
    }

    @Test
    void aSecondConcurrentJobIsRefusedUntilTheFirstEnds() throws Exception {
        TrainingConfig longJob = TrainingConfig.builder().batchSize(2).maxSteps(500).saveSteps(0).build();
        TrainClientCall first = trainer.open().submit(TrainJobs.job("first-job", tmp.resolve("a"), longJob).build(),
                pairs, List.of());
        first.awaitMessage(TrainProgress::hasStep);

        StatusRuntimeException refused = failureOf(TrainJobs.job("second-job", tmp.resolve("b"), CONFIG).build(),
                pairs);
        assertFailure(refused, Status.Code.RESOURCE_EXHAUSTED, "busy", null);
        assertTrue(refused.getStatus().getDescription().contains("'first-job'"), refused.getStatus().getDescription());

        first.control(ControlAction.CONTROL_ACTION_CANCEL);
        List<TrainProgress> progress = first.awaitCompletion();
        assertEquals(TrainStatus.TRAIN_STATUS_CANCELLED, progress.get(progress.size() - 1).getFinished().getStatus());
        awaitIdle(trainer);
    }

    /** Waits until the trainer accepts a job again (a job it then cancels before training). */
    static void awaitIdle(InProcessTrainer trainer) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            TrainClientCall probe = trainer.open();
            probe.send(TrainInput.newBuilder().setJob(TrainJobs.job("probe", Path.of("unused-output"), CONFIG))
                    .build());
            probe.control(ControlAction.CONTROL_ACTION_CANCEL);
            try {
                List<TrainProgress> progress = probe.awaitCompletion();
                assertEquals(TrainStatus.TRAIN_STATUS_CANCELLED, progress.get(0).getFinished().getStatus());
                return;
            } catch (AssertionError busy) {
                assertTrue(System.nanoTime() < deadline, "the trainer stayed busy: " + busy.getMessage());
                Thread.sleep(20);
            }
        }
    }

    private static StatusRuntimeException failureOf(TrainJob job, List<TrainingPair> pairs) throws Exception {
        return trainer.open().submit(job, pairs, List.of()).awaitFailure();
    }

    private static void assertFailure(StatusRuntimeException error, Status.Code code, String failure, String field) {
        String shown = error.getStatus() + " " + error.getTrailers();
        assertEquals(code, error.getStatus().getCode(), shown);
        assertEquals(failure, TrainClientCall.trailer(error, TrainFailure.FAILURE_KEY), shown);
        assertEquals(field, TrainClientCall.trailer(error, TrainFailure.FIELD_KEY), shown);
    }
}
