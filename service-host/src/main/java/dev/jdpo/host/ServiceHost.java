package dev.jdpo.host;

import dev.jdpo.host.metrics.GrpcServerMetrics;
import dev.jdpo.host.security.ServerSecurity;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hosts gRPC services on Micronaut's gRPC server (micronaut-grpc-server-runtime) with the standard health service
 * (SERVING for "" and each hosted service until close) and server reflection, so grpcurl and grpc_health_probe work.
 * Every call is counted and timed in the process's metrics ({@link GrpcServerMetrics}).
 * With {@link HostSettings#tls()} it serves TLS, and refuses clients without a certificate from the client CA.
 * The services are registered as singleton beans of a context that loads no other application beans.
 */
public final class ServiceHost implements AutoCloseable {

    // after the grace period, cancelled calls normally end at once; this only bounds a stuck transport
    private static final long CANCEL_WAIT_SECONDS = 5;

    private final ApplicationContext context;
    private final GrpcEmbeddedServer server;
    private final HealthStatusManager health;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean notServing = new AtomicBoolean();

    private ServiceHost(ApplicationContext context, GrpcEmbeddedServer server, HealthStatusManager health) {
        this.context = context;
        this.server = server;
        this.health = health;
    }

    /**
     * Starts serving {@code services} as {@code settings} say.
     *
     * @throws IllegalArgumentException when no service is given or two share a name
     * @throws IllegalStateException    when the server cannot start, e.g. the port is taken; the message names the
     *                                  address
     */
    public static ServiceHost start(HostSettings settings, BindableService... services) {
        Map<String, BindableService> byName = byName(services);
        ApplicationContext context = HostApplicationContext.builder()
                .deduceEnvironment(false)
                // the settings are the whole configuration: no env vars, and no application.yml of whatever else is
                // on the class path (under jdpo serve tokenizer, the orchestrator's would name this server after it)
                .enableDefaultPropertySources(false)
                .environmentPropertySource(false)
                .banner(false)
                .properties(properties(settings))
                .build();
        byName.forEach((name, service) ->
                context.registerSingleton(BindableService.class, service, Qualifiers.byName(name)));
        context.registerSingleton(BindableService.class, ProtoReflectionServiceV1.newInstance(),
                Qualifiers.byName("grpc.reflection.v1.ServerReflection"));
        // calls by method and status for /metrics (jdpo serve --metrics-port); Micronaut installs interceptor beans
        context.registerSingleton(ServerInterceptor.class, GrpcServerMetrics.instance(),
                Qualifiers.byName("jdpo.metrics"));
        context.registerSingleton(ServerInterceptor.class, new ShortStatusInterceptor(),
                Qualifiers.byName("jdpo.short-status"));
        try {
            context.start();
            ServerSecurity.applyTls(context, settings.tls());
            GrpcEmbeddedServer server = context.getBean(GrpcEmbeddedServer.class);
            server.start();
            HealthStatusManager health = context.getBean(HealthStatusManager.class);
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
            byName.keySet().forEach(name -> health.setStatus(name, ServingStatus.SERVING));
            return new ServiceHost(context, server, health);
        } catch (RuntimeException failed) {
            context.close();
            throw new IllegalStateException("cannot serve gRPC on " + settings.address() + ": " + rootMessage(failed),
                    failed);
        }
    }

    /** The port it listens on (the bound one when the settings asked for 0). */
    public int port() {
        return server.getServer().getPort();
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        server.getServer().awaitTermination();
    }

    /**
     * Reports NOT_SERVING for "" and every service, for good: health-checking clients go elsewhere while calls in
     * flight finish. {@link #close()} does this first; call it earlier when draining takes work of one's own.
     * Calling it again does nothing (gRPC's health service logs a stack trace for a second terminal state).
     */
    public void stopServing() {
        if (notServing.compareAndSet(false, true)) {
            health.enterTerminalState();
        }
    }

    /**
     * Reports NOT_SERVING, stops taking calls, gives the calls in flight the grace period, then cancels them and
     * stops the context.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopServing();
        Server grpc = server.getServer();
        try {
            server.stop();
            if (!grpc.isTerminated()) {
                grpc.shutdownNow().awaitTermination(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            grpc.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            context.close();
        }
    }

    private static Map<String, BindableService> byName(BindableService... services) {
        if (services.length == 0) {
            throw new IllegalArgumentException("services: give at least one service to host");
        }
        Map<String, BindableService> byName = new HashMap<>();
        for (BindableService service : services) {
            String name = service.bindService().getServiceDescriptor().getName();
            if (byName.put(name, service) != null) {
                throw new IllegalArgumentException("services: " + name + " is given twice");
            }
        }
        return byName;
    }

    private static Map<String, Object> properties(HostSettings settings) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("grpc.server.port", settings.port());
        properties.put("grpc.server.host", settings.host());
        // plain bytes: "64MB" does not bind for this key (see shared/reference/micronaut-grpc.md)
        properties.put("grpc.server.max-inbound-message-size", settings.maxInboundMessageBytes());
        // GrpcEmbeddedServer.stop() waits this long for calls in flight after shutdown()
        properties.put("grpc.server.await-termination", settings.grace().toMillis() + "ms");
        properties.put("grpc.server.health.enabled", true);
        return properties;
    }

    private static String rootMessage(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        Throwable root = chain.get(chain.size() - 1);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
