package dev.jdpo.host;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.micronaut.context.annotation.Context;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An eager application bean that is also a gRPC service, as the orchestrator's beans are: on a host's class path it
 * must neither be created nor served.
 */
@Context
public class StrayApplicationBean implements BindableService {

    static final String NAME = "jdpo.test.Stray";
    static final AtomicBoolean CREATED = new AtomicBoolean();

    public StrayApplicationBean() {
        CREATED.set(true);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(NAME).build();
    }
}
