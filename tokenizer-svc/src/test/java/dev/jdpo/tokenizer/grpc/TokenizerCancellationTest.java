package dev.jdpo.tokenizer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.TokenizeDatasetRequest;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.tokenizer.Fixtures;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that cancels a whole-file call while the server reads a 100,000-row file: the server's pass must end
 * within a bound far below what the whole file takes, instead of reading to the end for nobody.
 */
class TokenizerCancellationTest {

    private static final int ROWS = 100_000;
    /** Seconds a cancelled pass may go on; reading the whole file takes longer even on a fast machine. */
    private static final long STOP_BOUND_SECONDS = 3;

    @TempDir
    static Path dir;
    private static Path file;

    private final TokenizerRegistry registry = new TokenizerRegistry();
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final CountDownLatch passStarted = new CountDownLatch(1);
    private final CompletableFuture<Long> passMillis = new CompletableFuture<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeAll
    static void writeLargeFile() throws IOException {
        file = dir.resolve("large.jsonl");
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < ROWS; i++) {
                out.write("{\"prompt\": \"Question " + i + ": which tree grows acorns?\", \"chosen\": \" The oak, "
                        + i + ".\", \"rejected\": \" The pine, " + i + ".\"}\n");
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(new TokenizerGrpcService(registry, this::timedPass)).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        registry.encoder(Fixtures.MODEL);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        worker.shutdownNow();
        worker.awaitTermination(60, TimeUnit.SECONDS);
        registry.close();
    }

    @AfterAll
    static void dropFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @Test
    void aCancelledTokenizeDatasetStopsReadingTheFile() throws Exception {
        CompletableFuture<Status> outcome = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<TokenizeDatasetRequest>> control = new CompletableFuture<>();
        TokenizerServiceGrpc.newStub(channel).tokenizeDataset(TokenizeDatasetRequest.newBuilder()
                .setModelDir(Fixtures.MODEL.toString()).setDatasetPath(file.toString()).build(),
                new ClientResponseObserver<TokenizeDatasetRequest, TokenizeResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<TokenizeDatasetRequest> requestStream) {
                        control.complete(requestStream);
                    }

                    @Override
                    public void onNext(TokenizeResponse value) {
                        if (!value.hasProgress()) {
                            outcome.completeExceptionally(new AssertionError("a pair came before the cancel"));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        outcome.completeExceptionally(new AssertionError("completed although cancelled"));
                    }
                });
        assertTrue(passStarted.await(30, TimeUnit.SECONDS), "the pass never started");
        long cancelledAt = System.nanoTime();
        control.get().cancel("the run was cancelled", null);

        assertEquals(Status.Code.CANCELLED, outcome.get(10, TimeUnit.SECONDS).getCode());
        assertStoppedWithinBound(cancelledAt);
    }

    /** The service's executor: runs each pass on {@link #worker} and records when it began and how long it ran. */
    private void timedPass(Runnable pass) {
        worker.execute(() -> {
            passStarted.countDown();
            long begin = System.nanoTime();
            pass.run();
            passMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        });
    }

    private void assertStoppedWithinBound(long cancelledAt) throws Exception {
        long ran = passMillis.get(120, TimeUnit.SECONDS);
        long afterCancel = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
        assertTrue(afterCancel < TimeUnit.SECONDS.toMillis(STOP_BOUND_SECONDS),
                "the pass over " + ROWS + " rows went on " + afterCancel + " ms after the cancel (ran " + ran + " ms)");
    }
}
