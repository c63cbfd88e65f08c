package dev.jdpo.tokenizer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.DataOptions;
import dev.jdpo.proto.internal.v1.Split;
import dev.jdpo.proto.internal.v1.TokenizeDatasetRequest;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import dev.jdpo.proto.internal.v1.TokenizedPair;
import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.proto.internal.v1.ValidationReport;
import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.pipeline.ShuffleSplit;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TokenizerService over an in-process channel: streaming, flow control, reports and status codes. */
class TokenizerGrpcServiceTest {

    private final TokenizerRegistry registry = new TokenizerRegistry();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private Server server;
    private ManagedChannel channel;
    private TokenizerServiceGrpc.TokenizerServiceBlockingStub blocking;

    /** Responses the server has handed to gRPC, counted before they reach the client. */
    private final AtomicInteger sent = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerInterceptor countSends = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                                ServerCallHandler<Q, R> next) {
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendMessage(R message) {
                        sent.incrementAndGet();
                        super.sendMessage(message);
                    }
                }, headers);
            }
        };
        server = InProcessServerBuilder.forName(name)
                // no progress messages: on a loaded machine a read can outlast the default interval, and the
                // tests here count the pairs and the report (progress has its own test in the orchestrator)
                .addService(ServerInterceptors.intercept(new TokenizerGrpcService(registry, executor,
                        Duration.ofDays(1), dev.jdpo.host.security.PathRoots.anywhere()), countSends))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        blocking = TokenizerServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        executor.shutdownNow();
        registry.close();
    }

    @Test
    void datasetStreamsBothSplitsThenTheReport() {
        Iterator<TokenizeResponse> responses = blocking.tokenizeDataset(TokenizeDatasetRequest.newBuilder()
                .setModelDir(Fixtures.MODEL.toString())
                .setDatasetPath(Fixtures.DATA.resolve("quickstart.jsonl").toString())
                .setOptions(DataOptions.newBuilder().setSeed(7).setValidationRatio(0.25))
                .build());
        List<TokenizeResponse> all = new ArrayList<>();
        responses.forEachRemaining(all::add);
        TokenizeResponse last = all.get(all.size() - 1);
        assertTrue(last.hasReport());
        ValidationReport report = last.getReport();
        assertEquals(64, report.getRowsRead());
        assertEquals(48, report.getTrainPairs());
        assertEquals(16, report.getValidationPairs());
        List<TokenizedPair> train = pairs(all, Split.SPLIT_TRAIN);
        List<TokenizedPair> validation = pairs(all, Split.SPLIT_VALIDATION);
        assertEquals(48, train.size());
        assertEquals(16, validation.size());
        Set<Long> lines = new HashSet<>();
        for (int i = 0; i < train.size(); i++) {
            TokenizedPair p = train.get(i);
            assertEquals(i, p.getIndex());
            lines.add(p.getSourceLine());
            assertEquals(2, p.getChosenIds(p.getChosenIdsCount() - 1), "completions end with eos");
        }
        validation.forEach(p -> lines.add(p.getSourceLine()));
        assertEquals(64, lines.size(), "every row lands in exactly one split");
    }

    @Test
    void sameSeedSameOrderOtherSeedOtherOrder() {
        List<Long> a = order(7);
        assertEquals(a, order(7));
        assertFalse(a.equals(order(8)));
    }

    @Test
    void failPolicyEndsTheCallWithInvalidArgumentNamingTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\": \"a\", \"chosen\": \" b\", \"rejected\": \" c\"}\n"
                + "{\"prompt\": \"a\", \"chosen\": \" b\"}\n");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking.tokenizeDataset(
                TokenizeDatasetRequest.newBuilder().setModelDir(Fixtures.MODEL.toString())
                        .setDatasetPath(file.toString()).build()).forEachRemaining(r -> { }));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("line 2 rejected: MISSING_FIELD"),
                e.getStatus().getDescription());
    }

    @Test
    void missingFilesAndModelsMapToStatusCodes() {
        StatusRuntimeException noData = assertThrows(StatusRuntimeException.class, () -> tokenize(
                TokenizeDatasetRequest.newBuilder().setModelDir(Fixtures.MODEL.toString())
                        .setDatasetPath("/nonexistent/data.jsonl").build()));
        assertEquals(Status.Code.NOT_FOUND, noData.getStatus().getCode());
        assertTrue(noData.getStatus().getDescription().contains("/nonexistent/data.jsonl"));

        StatusRuntimeException noModel = assertThrows(StatusRuntimeException.class, () -> tokenize(
                TokenizeDatasetRequest.newBuilder().setModelDir("/nonexistent/model")
                        .setDatasetPath(Fixtures.DATA.resolve("orca.jsonl").toString()).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, noModel.getStatus().getCode());
        assertTrue(noModel.getStatus().getDescription().contains("tokenizer.json"));

        StatusRuntimeException badFormat = assertThrows(StatusRuntimeException.class, () -> tokenize(
                TokenizeDatasetRequest.newBuilder().setModelDir(Fixtures.MODEL.toString())
                        .setDatasetPath(Fixtures.DATA.resolve("orca.jsonl").toString())
                        .setOptions(DataOptions.newBuilder().setFormat("csv")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badFormat.getStatus().getCode());
        assertTrue(badFormat.getStatus().getDescription().contains("csv"));
    }

    @Test
    void theLastMessageIsTheReport() {
        List<TokenizeResponse> all = tokenize(TokenizeDatasetRequest.newBuilder()
                .setModelDir(Fixtures.MODEL.toString())
                .setDatasetPath(Fixtures.DATA.resolve("openai.jsonl.gz").toString()).build());
        ValidationReport report = all.get(all.size() - 1).getReport();
        assertEquals("openai", report.getFormat());
        assertEquals(4, report.getPairs());
        assertEquals(0, report.getBadRows());
    }

    @Test
    void fileOrderSendsEveryPairAsReadAndTheSeededPermutationOfThemIsTheUsualOrder() {
        TokenizeDatasetRequest request = TokenizeDatasetRequest.newBuilder().setModelDir(Fixtures.MODEL.toString())
                .setDatasetPath(Fixtures.DATA.resolve("quickstart.jsonl").toString())
                .setOptions(DataOptions.newBuilder().setSeed(7).setValidationRatio(0.25)).build();
        List<TokenizeResponse> usual = tokenize(request);
        List<TokenizeResponse> all = tokenize(request.toBuilder()
                .setOptions(request.getOptions().toBuilder().setFileOrder(true)).build());
        ValidationReport report = all.get(all.size() - 1).getReport();
        assertEquals(64, report.getTrainPairs(), "the split is the caller's");
        assertEquals(0, report.getValidationPairs());
        List<TokenizedPair> read = pairs(all, Split.SPLIT_TRAIN);
        assertEquals(64, read.size());
        for (int i = 0; i < read.size(); i++) {
            assertEquals(i, read.get(i).getIndex());
            assertEquals(i + 1, read.get(i).getSourceLine(), "file order");
        }
        List<TokenizedPair> expected = new ArrayList<>(pairs(usual, Split.SPLIT_TRAIN));
        expected.addAll(pairs(usual, Split.SPLIT_VALIDATION));
        int[] order = ShuffleSplit.permutation(64, 7);
        for (int k = 0; k < 64; k++) {
            TokenizedPair pair = read.get(order[k]);
            assertEquals(expected.get(k).getSourceLine(), pair.getSourceLine());
            assertEquals(expected.get(k).getChosenIdsList(), pair.getChosenIdsList());
        }
    }

    @Test
    void serverSendsOnlyAsFastAsTheClientReads(@TempDir Path dir) throws Exception {
        assertSendsOnlyAsFastAsTheClientReads(dir, false);
    }

    @Test
    void inFileOrderTheReadItselfWaitsForTheClient(@TempDir Path dir) throws Exception {
        assertSendsOnlyAsFastAsTheClientReads(dir, true);
    }

    private void assertSendsOnlyAsFastAsTheClientReads(Path dir, boolean fileOrder) throws Exception {
        int rows = 2000;
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            jsonl.append("{\"prompt\": \"Row ").append(i).append(": ").append("tree ".repeat(100))
                    .append("\", \"chosen\": \" yes\", \"rejected\": \" no\"}\n");
        }
        Path file = dir.resolve("big.jsonl");
        Files.writeString(file, jsonl);
        AtomicReference<ClientCallStreamObserver<TokenizeDatasetRequest>> control = new AtomicReference<>();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        TokenizerServiceGrpc.newStub(channel).tokenizeDataset(TokenizeDatasetRequest.newBuilder()
                .setModelDir(Fixtures.MODEL.toString()).setDatasetPath(file.toString())
                .setOptions(DataOptions.newBuilder().setFileOrder(fileOrder)).build(),
                new ClientResponseObserver<TokenizeDatasetRequest, TokenizeResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<TokenizeDatasetRequest> requestStream) {
                        requestStream.disableAutoRequestWithInitial(1);
                        control.set(requestStream);
                    }

                    @Override
                    public void onNext(TokenizeResponse value) {
                        received.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertEquals(1, received.get());
        assertTrue(sent.get() < rows / 4, "server ran ahead of a client that read 1 message: sent " + sent.get());
        control.get().request(Integer.MAX_VALUE);
        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertEquals(rows + 1, received.get());
    }

    private List<Long> order(long seed) {
        List<Long> lines = new ArrayList<>();
        blocking.tokenizeDataset(TokenizeDatasetRequest.newBuilder().setModelDir(Fixtures.MODEL.toString())
                .setDatasetPath(Fixtures.DATA.resolve("quickstart.jsonl").toString())
                .setOptions(DataOptions.newBuilder().setSeed(seed)).build())
                .forEachRemaining(r -> {
                    if (r.hasPair()) {
                        lines.add(r.getPair().getPair().getSourceLine());
                    }
                });
        return lines;
    }

    private List<TokenizeResponse> tokenize(TokenizeDatasetRequest request) {
        List<TokenizeResponse> all = new ArrayList<>();
        blocking.tokenizeDataset(request).forEachRemaining(all::add);
        return all;
    }

    private static List<TokenizedPair> pairs(List<TokenizeResponse> all, Split split) {
        return all.stream().filter(TokenizeResponse::hasPair).filter(r -> r.getPair().getSplit() == split)
                .map(r -> r.getPair().getPair()).toList();
    }
}
