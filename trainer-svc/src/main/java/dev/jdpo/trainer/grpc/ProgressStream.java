package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.TrainProgress;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.InterruptedIOException;

/**
 * The outbound half of a Train call, safe to use from the gRPC and training threads. {@link #send} waits while the
 * transport is full (the client is not reading), so progress never piles up in memory; once the call is closed or
 * the client has gone, messages are dropped.
 */
final class ProgressStream {

    private final ServerCallStreamObserver<TrainProgress> out;
    private boolean closed;

    /**
     * Must be created during the service method's call: gRPC takes the ready and cancel handlers only then.
     *
     * @param onClientGone runs when the client cancels the call or disconnects
     */
    ProgressStream(ServerCallStreamObserver<TrainProgress> out, Runnable onClientGone) {
        this.out = out;
        out.setOnReadyHandler(this::ready);
        out.setOnCancelHandler(() -> {
            markClosed();
            onClientGone.run();
        });
    }

    /** Sends one message once the transport has room; does nothing after the call closed. */
    synchronized void send(TrainProgress progress) throws InterruptedIOException {
        while (!closed && !out.isReady()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the client to read progress");
            }
        }
        if (!closed) {
            out.onNext(progress);
        }
    }

    /**
     * Sends without waiting for readiness: a single message from a gRPC callback thread (which is where readiness
     * would be signalled, so waiting there could never end), or a small one whose number the caller bounds.
     */
    synchronized void sendNow(TrainProgress progress) {
        if (!closed) {
            out.onNext(progress);
        }
    }

    synchronized void complete() {
        if (!closed) {
            closed = true;
            out.onCompleted();
        }
        notifyAll();
    }

    synchronized void fail(TrainFailure failure) {
        if (!closed) {
            closed = true;
            out.onError(failure.toStatusException());
        }
        notifyAll();
    }

    private synchronized void ready() {
        notifyAll();
    }

    private synchronized void markClosed() {
        closed = true;
        notifyAll();
    }
}
