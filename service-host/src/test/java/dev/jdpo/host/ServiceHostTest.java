package dev.jdpo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Int64Value;
import dev.jdpo.testing.ReflectionProbe;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A host on a real socket: health, reflection, message size, isolation from application beans, graceful close. */
class ServiceHostTest {

    private static final int MIB = 1 << 20;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private ProbeService probe;

    @AfterEach
    void release() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        timer.shutdownNow();
    }

    @Test
    void healthIsServingForAllServicesAndForTheHostedOne() {
        try (ServiceHost host = start(HostSettings.on("127.0.0.1", 0))) {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel(host));
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
            assertEquals(ServingStatus.SERVING, health.check(check(ProbeService.NAME)).getStatus());
        }
    }

    @Test
    void theServiceRegisteredAtRunTimeAnswersCalls() {
        try (ServiceHost host = start(HostSettings.on("127.0.0.1", 0))) {
            assertEquals(3, measure(channel(host), 3));
        }
    }

    @Test
    void reflectionListsTheHostedServiceWithHealthAndReflection() throws Exception {
        try (ServiceHost host = start(HostSettings.on("127.0.0.1", 0))) {
            assertEquals(List.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", ProbeService.NAME),
                    ReflectionProbe.services(channel(host)).stream().sorted().toList());
        }
    }

    @Test
    void applicationBeansOnTheClassPathAreNeitherCreatedNorServed() throws Exception {
        try (ServiceHost host = start(HostSettings.on("127.0.0.1", 0))) {
            assertFalse(StrayApplicationBean.CREATED.get(), "the eager application bean was created");
            assertFalse(ReflectionProbe.services(channel(host)).contains(StrayApplicationBean.NAME));
        }
    }

    @Test
    void aMessageAboveFourMibIsAcceptedWhenTheSettingAllowsIt() {
        try (ServiceHost host = start(HostSettings.on("127.0.0.1", 0).withMaxInboundMessageBytes(8 * MIB))) {
            assertEquals(6 * MIB, measure(channel(host), 6 * MIB));
        }
    }

    @Test
    void aMessageAboveFourMibIsRefusedByDefault() {
        try (ServiceHost host = start(HostSettings.on("127.0.0.1", 0))) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> measure(channel(host), 6 * MIB));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused.toString());
        }
    }

    @Test
    void closeReportsNotServingToWatchersThenStopsListening() throws Exception {
        ServiceHost host = start(HostSettings.on("127.0.0.1", 0).withGrace(Duration.ofMillis(200)));
        ManagedChannel channel = channel(host);
        BlockingQueue<Object> watched = new LinkedBlockingQueue<>();
        HealthGrpc.newStub(channel).watch(check(ProbeService.NAME), collectInto(watched));
        assertEquals(ServingStatus.SERVING, ((HealthCheckResponse) watched.poll(10, TimeUnit.SECONDS)).getStatus());

        host.close();

        assertEquals(ServingStatus.NOT_SERVING, ((HealthCheckResponse) watched.poll(10, TimeUnit.SECONDS)).getStatus());
        StatusRuntimeException after = assertThrows(StatusRuntimeException.class,
                () -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, after.getStatus().getCode(), after.toString());
    }

    @Test
    void closeLetsACallInFlightFinishWithinTheGrace() throws Exception {
        ServiceHost host = start(HostSettings.on("127.0.0.1", 0).withGrace(Duration.ofSeconds(10)));
        CompletableFuture<Int64Value> call = hold(channel(host), 500);
        assertTrue(probe.awaitHold(Duration.ofSeconds(30)), "the Hold call never reached the server");
        host.close();
        assertEquals(500, call.get(10, TimeUnit.SECONDS).getValue());
    }

    @Test
    void closeCancelsACallThatOutlastsTheGrace() throws Exception {
        ServiceHost host = start(HostSettings.on("127.0.0.1", 0).withGrace(Duration.ofMillis(300)));
        CompletableFuture<Int64Value> call = hold(channel(host), 60_000);
        assertTrue(probe.awaitHold(Duration.ofSeconds(30)), "the Hold call never reached the server");
        long start = System.nanoTime();
        host.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Throwable failure = assertThrows(Exception.class, () -> call.get(10, TimeUnit.SECONDS)).getCause();
        assertTrue(failure instanceof StatusRuntimeException, String.valueOf(failure));
        assertTrue(closeMillis >= 250 && closeMillis < 30_000, "close took " + closeMillis + " ms");
    }

    @Test
    void stoppingServingBeforeCloseLogsNoSecondTerminalState() {
        // gRPC's health service logs "Already terminating" with a stack trace for a second terminal state: servers
        // that drain their own work call stopServing() before close(), and their shutdowns printed one
        Logger health = Logger.getLogger(HealthStatusManager.class.getPackageName() + ".HealthServiceImpl");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        health.addHandler(capture);
        try {
            ServiceHost host = start(HostSettings.on("127.0.0.1", 0));
            host.stopServing();
            host.close();
        } finally {
            health.removeHandler(capture);
        }
        assertEquals(List.of(), records.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void aTakenPortIsAnErrorNamingTheAddress() {
        try (ServiceHost first = start(HostSettings.on("127.0.0.1", 0))) {
            HostSettings taken = HostSettings.on("127.0.0.1", first.port());
            IllegalStateException failed = assertThrows(IllegalStateException.class, () -> start(taken));
            assertTrue(failed.getMessage().startsWith("cannot serve gRPC on 127.0.0.1:" + first.port() + ": "),
                    failed.getMessage());
        }
    }

    @Test
    void settingsOutOfRangeNameTheField() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> HostSettings.on("h", 70000));
        assertEquals("port: must be in [0, 65535], got 70000", port.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> HostSettings.on("0.0.0.0", 0).withMaxInboundMessageBytes(0));
        assertTrue(size.getMessage().startsWith("maxInboundMessageBytes: "), size.getMessage());
    }

    private ServiceHost start(HostSettings settings) {
        probe = new ProbeService(timer);
        return ServiceHost.start(settings, probe);
    }

    private ManagedChannel channel(ServiceHost host) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", host.port()).usePlaintext().build();
        channels.add(channel);
        return channel;
    }

    private static HealthCheckRequest check(String service) {
        return HealthCheckRequest.newBuilder().setService(service).build();
    }

    private static long measure(ManagedChannel channel, int bytes) {
        BytesValue request = BytesValue.of(ByteString.copyFrom(new byte[bytes]));
        return ClientCalls.blockingUnaryCall(channel, ProbeService.MEASURE,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request).getValue();
    }

    private static CompletableFuture<Int64Value> hold(ManagedChannel channel, long millis) {
        CompletableFuture<Int64Value> result = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(channel.newCall(ProbeService.HOLD, CallOptions.DEFAULT), Int64Value.of(millis),
                new StreamObserver<>() {
                    @Override
                    public void onNext(Int64Value value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        result.completeExceptionally(new AssertionError("completed without a value"));
                    }
                });
        return result;
    }

    private static <T> StreamObserver<T> collectInto(BlockingQueue<Object> queue) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(t);
            }

            @Override
            public void onCompleted() {
                queue.add("completed");
            }
        };
    }
}
