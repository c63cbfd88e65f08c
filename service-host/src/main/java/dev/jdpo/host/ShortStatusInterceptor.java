package dev.jdpo.host;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Cuts every status description a server sends to {@link EchoLimit#MAX_MESSAGE_CHARS}: the description travels
 * in the HTTP/2 trailers, and one that echoes a 64 KiB request field breaks the transport (PROTOCOL_ERROR)
 * instead of reaching the client.
 */
public final class ShortStatusInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                String description = status.getDescription();
                super.close(description == null ? status : status.withDescription(EchoLimit.message(description)),
                        trailers);
            }
        }, headers);
    }
}
