package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.RunServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** The {@code --address} option of the commands that talk to a running orchestrator, and their channel. */
final class ServerAddress {

    @Option(names = "--address", defaultValue = "${JDPO_ADDRESS:-localhost:50051}",
            description = "Orchestrator host:port (env JDPO_ADDRESS; default ${DEFAULT-VALUE}).")
    String address;

    /** A plaintext channel; close it with {@link #close(ManagedChannel)}. */
    ManagedChannel open() {
        return NettyChannelBuilder.forTarget(address).usePlaintext().build();
    }

    RunServiceGrpc.RunServiceBlockingStub stub(ManagedChannel channel) {
        return RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
    }

    static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
