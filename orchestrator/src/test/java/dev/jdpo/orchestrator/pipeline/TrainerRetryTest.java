package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.internal.v1.CheckpointSaved;
import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.grpc.TrainFailure;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A trainer that cannot be reached or goes away mid-job is retried, the job resuming from the last checkpoint it
 * reported; a failure the trainer reports itself is final; a stop ends the wait between tries at once.
 */
class TrainerRetryTest {

    private static final List<TrainingPair> PAIRS =
            List.of(new TrainingPair(new PairTokens(new int[] {1}, new int[] {2}, new int[] {3}), null));

    @Test
    void aStopDuringTheTrainersRetryBackoffEndsTheRunWithoutWaitingItOut() throws Exception {
        ManagedChannel nobody = NettyChannelBuilder.forTarget("127.0.0.1:" + freePort()).usePlaintext().build();
        RecordingReporter reporter = RecordingReporter.stoppingOnWarning();
        try {
            // one retry after a 10-minute backoff: only the stop can end this run in time
            RunOutcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> new TrainerClient(nobody, "127.0.0.1", new ServiceRetries(1, 600_000))
                            .train(TrainJob.getDefaultInstance(), PAIRS, List.of(), reporter, 4));
            assertEquals(new RunOutcome.Stopped(4), outcome);
            assertTrue(reporter.messages.stream().anyMatch(m -> m.contains("unavailable") && m.contains("retry 1")),
                    reporter.messages.toString());
        } finally {
            nobody.shutdownNow();
        }
    }

    @Test
    void aTrainerThatGoesAwayIsRetriedAndTheJobResumesFromItsLastCheckpoint() throws Exception {
        ScriptedTrainer trainer = new ScriptedTrainer(List.of(
                out -> {
                    out.onNext(TrainProgress.newBuilder().setCheckpoint(CheckpointSaved.newBuilder().setStep(3)
                            .setPath("/runs/x/checkpoint-3")).build());
                    out.onError(Status.UNAVAILABLE.withDescription("connection reset").asException());
                },
                // stopped by its own shutdown: a CANCELLED finish though nobody sent CANCEL
                out -> finish(out, Finished.newBuilder().setStatus(TrainStatus.TRAIN_STATUS_CANCELLED)
                        .setFinalStep(3)),
                out -> finish(out, Finished.newBuilder().setStatus(TrainStatus.TRAIN_STATUS_SUCCEEDED)
                        .setFinalStep(8).setFinalDir("/runs/x/final"))));
        RecordingReporter reporter = new RecordingReporter();
        RunOutcome outcome = trainer.serve(channel -> new TrainerClient(channel, "trainer", new ServiceRetries(2, 1))
                .train(TrainJob.getDefaultInstance(), PAIRS, List.of(), reporter, 0));
        assertEquals(new RunOutcome.Completed(Path.of("/runs/x/final")), outcome);
        assertEquals(List.of("", "/runs/x/checkpoint-3", "/runs/x/checkpoint-3"), trainer.jobs.stream()
                .map(job -> job.getOutput().getResumeFromCheckpoint()).toList());
        assertEquals(Map.of(3L, Path.of("/runs/x/checkpoint-3")), reporter.checkpoints);
        assertTrue(reporter.messages.stream().anyMatch(m -> m.startsWith("the trainer service at trainer went away "
                + "(UNAVAILABLE connection reset); retry 1 of 2") && m.contains("resuming from the checkpoint at "
                + "step 3")), reporter.messages.toString());
        assertTrue(reporter.messages.stream().anyMatch(m -> m.contains("stopped the job itself")
                && m.contains("retry 2 of 2")), reporter.messages.toString());
    }

    @Test
    void aFailureTheTrainerReportsIsNotRetried() throws Exception {
        Metadata trailers = new Metadata();
        trailers.put(TrainFailure.FAILURE_KEY, "training_diverged");
        ScriptedTrainer trainer = new ScriptedTrainer(List.of(out -> out.onError(Status.FAILED_PRECONDITION
                .withDescription("loss is NaN at step 2").asException(trailers))));
        RunFailure failure = assertThrows(RunFailure.class, () -> trainer.serve(channel -> new TrainerClient(channel,
                "trainer", new ServiceRetries(5, 1)).train(TrainJob.getDefaultInstance(), PAIRS, List.of(),
                new RecordingReporter(), 0)));
        assertEquals("training_diverged", failure.code());
        assertEquals(1, trainer.jobs.size());
    }

    @Test
    void aStopAskedForBeforeTheJobIsSentGoesOutAsACancelAfterTheJob() throws Exception {
        // the trainer's answer to a job cancelled before it trained: no final step (the run stays at step 4)
        ScriptedTrainer trainer = new ScriptedTrainer(List.of(out -> finish(out, Finished.newBuilder()
                .setStatus(TrainStatus.TRAIN_STATUS_CANCELLED))));
        // an orchestrator shutting down as a run starts: its CANCEL used to go out first, and the trainer failed
        // the run with "control: sent before job"
        RecordingReporter reporter = new RecordingReporter();
        reporter.stop.set(true);
        RunOutcome outcome = trainer.serve(channel -> new TrainerClient(channel, "trainer", new ServiceRetries(2, 1))
                .train(TrainJob.getDefaultInstance(), PAIRS, List.of(), reporter, 4));
        assertEquals(new RunOutcome.Stopped(4), outcome);
        assertEquals(TrainInput.KindCase.JOB, trainer.received.get(0), trainer.received.toString());
        assertEquals(1, trainer.received.stream().filter(k -> k == TrainInput.KindCase.CONTROL).count(),
                trainer.received.toString());
    }

    private static void finish(StreamObserver<TrainProgress> out, Finished.Builder finished) {
        out.onNext(TrainProgress.newBuilder().setFinished(finished).build());
        out.onCompleted();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A trainer that answers each Train call's end_of_pairs with the next step of its script. */
    private static final class ScriptedTrainer extends TrainerServiceGrpc.TrainerServiceImplBase {
        final List<TrainJob> jobs = new CopyOnWriteArrayList<>();
        /** Every message of every call, in the order it came. */
        final List<TrainInput.KindCase> received = new CopyOnWriteArrayList<>();
        private final Deque<Consumer<StreamObserver<TrainProgress>>> script;

        ScriptedTrainer(List<Consumer<StreamObserver<TrainProgress>>> script) {
            this.script = new ArrayDeque<>(script);
        }

        interface Client<T> {
            T call(ManagedChannel channel) throws Exception;
        }

        <T> T serve(Client<T> client) throws Exception {
            String name = "scripted-trainer-" + System.nanoTime();
            Server server = InProcessServerBuilder.forName(name).addService(this).build().start();
            ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
            try {
                return client.call(channel);
            } finally {
                channel.shutdownNow();
                server.shutdownNow();
            }
        }

        @Override
        public StreamObserver<TrainInput> train(StreamObserver<TrainProgress> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(TrainInput input) {
                    received.add(input.getKindCase());
                    if (input.hasJob()) {
                        jobs.add(input.getJob());
                    } else if (input.hasEndOfPairs()) {
                        script.removeFirst().accept(out);
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
    }
}
