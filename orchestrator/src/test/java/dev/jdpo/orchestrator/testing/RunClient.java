package dev.jdpo.orchestrator.testing;

import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.WatchRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A loopback client of one test orchestrator: plaintext, or over a channel of the test's own (TLS, a token). */
public final class RunClient implements AutoCloseable {

    private final ManagedChannel channel;

    public RunClient(int port) {
        this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }

    /** A client on {@code channel}, which it closes. */
    public RunClient(ManagedChannel channel) {
        this.channel = channel;
    }

    public ManagedChannel channel() {
        return channel;
    }

    public RunServiceGrpc.RunServiceBlockingStub stub() {
        return RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /**
     * Every event of the run after {@code afterSequence} until the stream ends. A watch lasts as long as the rest of
     * the run, so it gets minutes rather than a unary call's 60 s (a loaded 2-core machine trains slowly).
     */
    public List<RunEvent> watch(String runId, long afterSequence) {
        List<RunEvent> events = new ArrayList<>();
        RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES).watchRun(WatchRunRequest.newBuilder().setRunId(runId).setAfterSequence(afterSequence).build())
                .forEachRemaining(events::add);
        return events;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
