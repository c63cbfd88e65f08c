package dev.jdpo.trainer.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;

/** A TrainerService endpoint behind an in-process server and a channel to it. */
final class InProcessTrainer implements AutoCloseable {

    private final TrainerServiceEndpoint endpoint = new TrainerServiceEndpoint(60);
    private final Server server;
    private final ManagedChannel channel;

    InProcessTrainer() throws IOException {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(endpoint).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    /** Opens a Train call. */
    TrainClientCall open() {
        return TrainClientCall.open(channel);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        endpoint.close();
    }
}
