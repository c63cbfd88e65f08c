package dev.jdpo.host.security;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/** Sends {@code authorization: Bearer <token>} with every call. */
public final class BearerToken extends CallCredentials {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final String SCHEME = "Bearer ";

    private final String token;

    public BearerToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token: must not be empty");
        }
        this.token = token.strip();
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        try {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, SCHEME + token);
            applier.apply(headers);
        } catch (IllegalArgumentException notAscii) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("the token is not printable ASCII"));
        }
    }
}
