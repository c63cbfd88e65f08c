package dev.jdpo.orchestrator.server;

import dev.jdpo.host.security.ServerSecurity;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.state.StateUnavailableException;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.List;
import java.util.Map;

/**
 * A running orchestrator: the Micronaut context (run state, run manager) and, when asked for, its gRPC
 * server with RunService, health and reflection.
 */
public final class OrchestratorServer implements AutoCloseable {

    private final ApplicationContext context;
    private final EmbeddedServer server;

    private OrchestratorServer(ApplicationContext context, EmbeddedServer server) {
        this.context = context;
        this.server = server;
    }

    /**
     * Starts an orchestrator.
     *
     * @param properties configuration ({@code jdpo.*}, {@code grpc.server.port}, ...) over application.yml
     * @param beans      singletons to register first, e.g. the {@link dev.jdpo.orchestrator.run.RunExecutor}
     * @param serveGrpc  whether to start the gRPC server; embedded use needs only {@link #runs()}
     */
    public static OrchestratorServer start(Map<String, Object> properties, List<Object> beans, boolean serveGrpc) {
        ApplicationContext context;
        try {
            context = ApplicationContext.builder()
                    .properties(properties)
                    .singletons(beans.toArray())
                    .start();
        } catch (RuntimeException failed) {
            throw stateFailureIn(failed);
        }
        try {
            EmbeddedServer server = null;
            if (serveGrpc) {
                ServerSecurity.applyTls(context, context.getBean(SecuritySettings.class).serverTls());
                server = context.getBean(EmbeddedServer.class);
                server.start();
            }
            return new OrchestratorServer(context, server);
        } catch (RuntimeException failed) {
            context.close();
            throw failed;
        }
    }

    /**
     * A database that cannot be opened surfaces wrapped in Micronaut's bean-creation report (a "Path Taken" block);
     * the user needs only the state layer's own message, which names the URL and the cause.
     */
    private static RuntimeException stateFailureIn(RuntimeException failed) {
        for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
            if (cause instanceof StateUnavailableException unavailable) {
                return unavailable;
            }
        }
        return failed;
    }

    public RunManager runs() {
        return context.getBean(RunManager.class);
    }

    public ApplicationContext context() {
        return context;
    }

    /** The gRPC port; only for a server started with {@code serveGrpc}. */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("this orchestrator serves no gRPC port");
        }
        return server.getPort();
    }

    @Override
    public void close() {
        if (server != null && server.isRunning()) {
            server.stop();
        }
        if (context.isRunning()) {
            context.close();
        }
    }
}
