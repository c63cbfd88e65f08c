package dev.jdpo.orchestrator.api;

import io.grpc.stub.StreamObserver;

/** Answers a unary call with a handler's result, or with the status {@link ApiErrors} maps its exception to. */
final class Unary {

    /** A request handler that may throw the orchestrator's checked exceptions. */
    @FunctionalInterface
    interface Handler<T> {
        T handle() throws Exception;
    }

    private Unary() {
    }

    static <T> void call(StreamObserver<T> response, Handler<T> handler) {
        T result;
        try {
            result = handler.handle();
        } catch (Exception failed) {
            response.onError(ApiErrors.toStatus(failed));
            return;
        }
        response.onNext(result);
        response.onCompleted();
    }
}
