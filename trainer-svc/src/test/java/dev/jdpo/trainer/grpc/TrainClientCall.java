package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jdpo.proto.internal.v1.Control;
import dev.jdpo.proto.internal.v1.ControlAction;
import dev.jdpo.proto.internal.v1.EndOfPairs;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.trainer.data.TrainingPair;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The client side of one Train call in a test: sends inputs, records every progress message and the outcome. */
final class TrainClientCall implements StreamObserver<TrainProgress> {

    private static final long TIMEOUT_SECONDS = 120;

    private final BlockingQueue<TrainProgress> unread = new LinkedBlockingQueue<>();
    private final List<TrainProgress> received = new ArrayList<>();
    private final CompletableFuture<StatusRuntimeException> outcome = new CompletableFuture<>();
    private StreamObserver<TrainInput> requests;

    /** Opens a Train call on {@code channel}. */
    static TrainClientCall open(Channel channel) {
        TrainClientCall call = new TrainClientCall();
        call.requests = TrainerServiceGrpc.newStub(channel).train(call);
        return call;
    }

    /** Sends the job, the pairs, the validation pairs and end_of_pairs. */
    TrainClientCall submit(TrainJob job, List<TrainingPair> pairs, List<TrainingPair> validation) {
        send(TrainInput.newBuilder().setJob(job).build());
        for (int i = 0; i < pairs.size(); i++) {
            send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pairs.get(i), i)).build());
        }
        for (int i = 0; i < validation.size(); i++) {
            send(TrainInput.newBuilder().setValidationPair(ProtoPairs.toProto(validation.get(i), i)).build());
        }
        send(TrainInput.newBuilder().setEndOfPairs(EndOfPairs.getDefaultInstance()).build());
        return this;
    }

    synchronized void send(TrainInput input) {
        requests.onNext(input);
    }

    void control(ControlAction action) {
        send(TrainInput.newBuilder().setControl(Control.newBuilder().setAction(action)).build());
    }

    synchronized void halfClose() {
        requests.onCompleted();
    }

    synchronized void cancel() {
        requests.onError(Status.CANCELLED.withDescription("test client gave up").asRuntimeException());
    }

    /** Reads messages until one matches, failing after the timeout. */
    TrainProgress awaitMessage(Predicate<TrainProgress> wanted) throws InterruptedException {
        while (true) {
            TrainProgress next = unread.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(next, "no matching progress message within " + TIMEOUT_SECONDS + " s");
            if (wanted.test(next)) {
                return next;
            }
        }
    }

    /** Every message of a call that completed normally. */
    List<TrainProgress> awaitCompletion() throws Exception {
        StatusRuntimeException error = outcome.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (error != null) {
            throw new AssertionError("the call failed: " + error.getStatus() + " " + error.getTrailers(), error);
        }
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The status of a call that failed. */
    StatusRuntimeException awaitFailure() throws Exception {
        StatusRuntimeException error = outcome.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (error == null) {
            throw new AssertionError("the call completed normally: " + received);
        }
        return error;
    }

    static String trailer(StatusRuntimeException error, Metadata.Key<String> key) {
        return error.getTrailers() == null ? null : error.getTrailers().get(key);
    }

    @Override
    public void onNext(TrainProgress progress) {
        synchronized (received) {
            received.add(progress);
        }
        unread.add(progress);
    }

    @Override
    public void onError(Throwable t) {
        outcome.complete(t instanceof StatusRuntimeException e ? e : Status.fromThrowable(t).asRuntimeException());
    }

    @Override
    public void onCompleted() {
        outcome.complete(null);
    }
}
