package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.trainer.data.DataOrder;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop while a streaming job has no pair to send (the store still filling, scoring behind) goes out as a CANCEL
 * at once: it used to wait for the next pair, and a stop that also ended the store's filling never went out, so the
 * run hung.
 */
class StreamedStopTest {

    private static final int PAIRS = 10;

    @TempDir
    Path tmp;

    @Test
    void aStopWhileNoPairIsStoredYetIsSentAsACancel() throws Exception {
        RecordingReporter reporter = new RecordingReporter();
        List<TrainInput.KindCase> received = new CopyOnWriteArrayList<>();
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).addService(new StartsThenWaits(reporter, received))
                .build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try (PairStore.Writer writer = PairStore.writer(tmp.resolve("store"));
             PairStore store = writer.inFileOrder(PAIRS, "fingerprint", PAIRS)) {
            // nothing is ever written: the only pairs the trainer could get never come
            StreamedJobPairs pairs = new StreamedJobPairs(store, new DataOrder(1, PAIRS, PAIRS), null, false,
                    List.of(), 4);
            RunOutcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    new TrainerClient(channel, "trainer", new ServiceRetries(0, 1))
                            .train(TrainJob.getDefaultInstance(), pairs, reporter, 0));
            assertEquals(new RunOutcome.Stopped(0), outcome);
            assertEquals(List.of(TrainInput.KindCase.JOB, TrainInput.KindCase.PAIR_STREAM,
                    TrainInput.KindCase.CONTROL), received);
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }

    /** A trainer that starts the job, asks the run to stop, and ends the job as cancelled when the CANCEL comes. */
    private static final class StartsThenWaits extends TrainerServiceGrpc.TrainerServiceImplBase {
        private final RecordingReporter reporter;
        private final List<TrainInput.KindCase> received;

        StartsThenWaits(RecordingReporter reporter, List<TrainInput.KindCase> received) {
            this.reporter = reporter;
            this.received = received;
        }

        @Override
        public StreamObserver<TrainInput> train(StreamObserver<TrainProgress> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(TrainInput input) {
                    received.add(input.getKindCase());
                    if (input.hasPairStream()) {
                        out.onNext(TrainProgress.newBuilder().setStarted(Started.newBuilder().setTotalSteps(5)
                                .setTrainingPairs(PAIRS).setPairsLeft(PAIRS)).build());
                        reporter.stop.set(true);
                    } else if (input.hasControl()) {
                        out.onNext(TrainProgress.newBuilder().setFinished(Finished.newBuilder()
                                .setStatus(TrainStatus.TRAIN_STATUS_CANCELLED)).build());
                        out.onCompleted();
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
