package dev.jdpo.trainer.grpc;

import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
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
        TrainClientCall call = new TrainClientCall();
        call.attach(TrainerServiceGrpc.newStub(channel).train(call));
        return call;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        endpoint.close();
    }
}
