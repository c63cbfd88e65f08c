package dev.jdpo.host.security;

import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcServerConfiguration;

/**
 * Puts TLS on a Micronaut gRPC server before it is built. Micronaut's own {@code grpc.server.ssl} settings cannot
 * require client certificates, so the Netty builder gets the whole SSL context instead.
 */
public final class ServerSecurity {

    private ServerSecurity() {
    }

    /** Call after the context started and before the {@code GrpcEmbeddedServer} bean is first asked for. */
    public static void applyTls(ApplicationContext context, ServerTls tls) {
        if (tls == null) {
            return;
        }
        NettyServerBuilder builder = (NettyServerBuilder) context.getBean(GrpcServerConfiguration.class)
                .getServerBuilder();
        builder.sslContext(tls.sslContext());
    }
}
