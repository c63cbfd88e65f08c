package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI's channel, over a real socket, repeats the calls the contract marks idempotent while the server answers
 * UNAVAILABLE, a bounded number of times, and never repeats the others.
 */
class ServerAddressRetryTest {

    private final FlakyRuns service = new FlakyRuns();
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        ServerAddress.close(channel);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void getRunSucceedsAfterTheServerFailedOnceWithUnavailable() throws Exception {
        service.unavailableCalls.set(1);
        Run run = runs().getRun(GetRunRequest.newBuilder().setRunId("run-1").build());
        assertEquals("run-1", run.getId());
        assertEquals(2, service.calls.get());
    }

    @Test
    void retriesAreBoundedAtFiveAttempts() throws Exception {
        service.unavailableCalls.set(Integer.MAX_VALUE);
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> runs().getRun(GetRunRequest.newBuilder().setRunId("run-1").build()));
        assertEquals(Status.Code.UNAVAILABLE, failed.getStatus().getCode());
        assertEquals(5, service.calls.get());
    }

    @Test
    void createRunIsNotRepeated() throws Exception {
        service.unavailableCalls.set(1);
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> runs().createRun(CreateRunRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, failed.getStatus().getCode());
        assertEquals(1, service.calls.get());
    }

    private RunServiceGrpc.RunServiceBlockingStub runs() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build()
                .start();
        ServerAddress address = new ServerAddress();
        address.address = "127.0.0.1:" + server.getPort();
        channel = address.open();
        return OrchestratorCommand.runs(channel);
    }

    /** Answers UNAVAILABLE to its first {@code unavailableCalls} calls, then a run with the asked id. */
    private static final class FlakyRuns extends RunServiceGrpc.RunServiceImplBase {
        final AtomicInteger unavailableCalls = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void getRun(GetRunRequest request, StreamObserver<Run> responses) {
            answer(Run.newBuilder().setId(request.getRunId()).build(), responses);
        }

        @Override
        public void createRun(CreateRunRequest request, StreamObserver<Run> responses) {
            answer(Run.newBuilder().setId("new").build(), responses);
        }

        private void answer(Run run, StreamObserver<Run> responses) {
            calls.incrementAndGet();
            if (unavailableCalls.getAndDecrement() > 0) {
                responses.onError(Status.UNAVAILABLE.withDescription("restarting").asRuntimeException());
            } else {
                responses.onNext(run);
                responses.onCompleted();
            }
        }
    }
}
