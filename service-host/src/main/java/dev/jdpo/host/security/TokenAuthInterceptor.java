package dev.jdpo.host.security;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer-token authentication: UNAUTHENTICATED without a known token, PERMISSION_DENIED when a read-only token calls
 * one of the writing methods. Health checks need no token, so probes and load balancers keep working.
 */
public final class TokenAuthInterceptor implements ServerInterceptor {

    private final TokenStore tokens;
    private final Set<String> writeMethods;

    /** @param writeMethods full method names (service/method) that need a {@code write} token */
    public TokenAuthInterceptor(TokenStore tokens, Set<String> writeMethods) {
        this.tokens = tokens;
        this.writeMethods = Set.copyOf(writeMethods);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String authorization = headers.get(BearerToken.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith(BearerToken.SCHEME)) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(
                    "this server needs a token: send \"authorization: Bearer <token>\""));
        }
        Optional<TokenStore.Role> role = tokens.roleOf(authorization.substring(BearerToken.SCHEME.length()).strip());
        if (role.isEmpty()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("the token is not known to this server"));
        }
        if (role.get() == TokenStore.Role.READ && writeMethods.contains(method)) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(
                    "a read-only token cannot call " + call.getMethodDescriptor().getBareMethodName()));
        }
        return next.startCall(call, headers);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
