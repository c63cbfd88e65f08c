package dev.jdpo.orchestrator.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.function.Consumer;

/**
 * Sends a server stream's messages from a producer thread only while the transport is ready, blocking it otherwise,
 * so a slow client holds back the producer instead of piling messages up in memory.
 */
final class FlowControlledSink<T> implements Consumer<T> {

    private final ServerCallStreamObserver<T> call;
    private final Object readiness = new Object();
    private volatile boolean cancelled;

    /** Registers the call's handlers; must run inside the RPC method, before it returns. */
    FlowControlledSink(ServerCallStreamObserver<T> call) {
        this.call = call;
        call.setOnReadyHandler(this::signal);
        call.setOnCancelHandler(() -> {
            cancelled = true;
            signal();
        });
    }

    @Override
    public void accept(T message) {
        synchronized (readiness) {
            while (!call.isReady() && !cancelled) {
                try {
                    readiness.wait();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw Status.CANCELLED.withDescription("the server is shutting down").asRuntimeException();
                }
            }
        }
        if (cancelled) {
            throw Status.CANCELLED.withDescription("the client cancelled the call").asRuntimeException();
        }
        call.onNext(message);
    }

    boolean cancelled() {
        return cancelled;
    }

    private void signal() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }
}
