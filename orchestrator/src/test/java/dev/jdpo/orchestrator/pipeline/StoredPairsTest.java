package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.security.PathRoots;
import dev.jdpo.orchestrator.config.HyperparameterResolver;
import dev.jdpo.orchestrator.config.RunConfigDefaults;
import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.tokenizer.grpc.TokenizerGrpcService;
import dev.jdpo.tokenizer.grpc.TokenizerRegistry;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming run's data goes from the tokenizer into its store as it is read, in file order, and the store's
 * order is the shuffle and split the tokenizer gives a precompute run; the store is written once per run.
 */
class StoredPairsTest {

    @TempDir
    Path tmp;

    private final TokenizerRegistry tokenizers = new TokenizerRegistry();
    private final ExecutorService work = Executors.newSingleThreadExecutor();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void startTokenizer() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(new TokenizerGrpcService(tokenizers, work, PathRoots.anywhere())).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stopTokenizer() throws Exception {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        tokenizers.closeAfter(work, Duration.ofSeconds(30));
    }

    private DatasetLoader loader() {
        return new DatasetLoader(channel, "in-process", new ServiceRetries(0, 1));
    }

    /** 40 pairs with a duplicate at line 13 (removed in both paths) and a quarter held out. */
    private RunConfig config(String name) throws Exception {
        Path data = PipelineEndToEndTest.writePairs(tmp.resolve(name + ".jsonl"), 40);
        List<String> lines = new ArrayList<>(Files.readAllLines(data));
        lines.set(12, lines.get(3));
        Files.write(data, lines);
        return PipelineEndToEndTest.config(data, tmp.resolve("out-" + name), 4).toBuilder()
                .setReference(ReferenceConfig.newBuilder().setMode(ReferenceMode.REFERENCE_MODE_STREAMING)).build();
    }

    @Test
    void theStoreHoldsThePairsOfThePrecomputePathInTheirOrder() throws Exception {
        RunConfig config = config("split");
        DatasetLoader.Pairs held = loader().load(config, new RecordingReporter()).orElseThrow();
        assertEquals(29, held.training().size(), "39 distinct pairs, round(39 / 4) held out");
        try (PairStore.Writer writer = PairStore.writer(tmp.resolve("store"));
             PairStore store = loader().store(config, new RecordingReporter(), writer).orElseThrow()) {
            assertSameOrder(held, store);
        }
    }

    @Test
    void aSeparateValidationFileIsStoredAfterTheTrainingPairsInThePrecomputeOrder() throws Exception {
        RunConfig base = config("train");
        Path validation = PipelineEndToEndTest.writePairs(tmp.resolve("validation.jsonl"), 7);
        RunConfig config = base.toBuilder().setData(base.getData().toBuilder()
                .setValidationFile(validation.toString()).setValidationSplit(0)).build();
        DatasetLoader.Pairs held = loader().load(config, new RecordingReporter()).orElseThrow();
        assertEquals(39, held.training().size());
        assertEquals(7, held.validation().size());
        try (PairStore.Writer writer = PairStore.writer(tmp.resolve("store"));
             PairStore store = loader().store(config, new RecordingReporter(), writer).orElseThrow()) {
            assertSameOrder(held, store);
        }
    }

    @Test
    void aBadRowFailsNamingItsLineAndLeavesNoStore() throws Exception {
        RunConfig config = config("bad");
        Path data = Path.of(config.getData().getTrainingFile());
        List<String> lines = new ArrayList<>(Files.readAllLines(data));
        lines.set(30, "{\"prompt\": \"cut short");
        Files.write(data, lines);
        Path dir = tmp.resolve("store");
        RunFailure failure = assertThrows(RunFailure.class, () -> {
            try (PairStore.Writer writer = PairStore.writer(dir)) {
                loader().store(config, new RecordingReporter(), writer);
            }
        });
        assertTrue(failure.getMessage().contains("line 31"), failure.getMessage());
        assertEquals("data.training_file", failure.param());
        assertTrue(PairStore.open(dir).isEmpty(), "the pairs before the bad line never became a store");
    }

    /** How often the data was tokenized to its report. */
    private static long dataReads(RecordingReporter reporter) {
        return reporter.messages.stream().filter(m -> m.contains(" pairs in ") && m.contains(" rows, format "))
                .count();
    }

    @Test
    void aStoppedRunKeepsItsStoreAndARestartedOrchestratorReadsItInsteadOfTokenizing(@TempDir Path state)
            throws Exception {
        RunConfig config = new RunConfigDefaults().apply(config("restart"));
        config = config.toBuilder().setTraining(config.getTraining().toBuilder().setMaxSteps(6)).build();
        Path runData = state.resolve("run-data");
        Path store = runData.resolve("run-1");
        // the stop comes once step 2's checkpoint is registered: a cancel mid-run
        RecordingReporter first = RecordingReporter.stoppingOnCheckpoint();
        RunStart start;
        try (PipelineRunExecutor executor = new PipelineRunExecutor(state.resolve("cache"), runData, null)) {
            DataSummary summary = executor.validateFiles(config, first).orElseThrow();
            assertEquals(29, summary.trainingPairs());
            assertEquals(10, summary.validationPairs());
            start = new RunStart("run-1", config, new HyperparameterResolver().resolve(config,
                    summary.trainingPairs(), summary.validationPairs()), Optional.empty());
            assertInstanceOf(RunOutcome.Stopped.class, executor.execute(start, first));
        }
        assertEquals(1, dataReads(first), "validated and trained on one tokenization: " + first.messages);
        assertTrue(PairStore.open(store).isPresent(), "a stopped run keeps its store");
        try (var left = Files.list(runData)) {
            assertEquals(List.of(store), left.toList(), "the validated store became the run's");
        }

        RecordingReporter second = new RecordingReporter();
        try (PipelineRunExecutor restarted = new PipelineRunExecutor(state.resolve("cache"), runData, null)) {
            assertInstanceOf(RunOutcome.Completed.class, restarted.execute(start, second));
        }
        assertEquals(0, dataReads(second), "the restart read the store, not the data: " + second.messages);
        assertTrue(second.messages.stream().anyMatch(m -> m.startsWith("Reading the tokenized pairs stored in ")
                && m.contains("(29 training pairs)")), second.messages.toString());
        assertFalse(Files.exists(store), "a completed run's store is removed");
    }

    @Test
    void aboveTheShuffleWindowEachRowMustBecomeAPairOrTheRunFailsSayingSo() throws Exception {
        RunConfig base = config("window");
        RunConfig config = base.toBuilder().setData(base.getData().toBuilder().setValidationSplit(0)
                .setShuffleWindow(8)).build();
        assertEquals(40, StoreFill.trainsWhileReading(config).orElseThrow(), "40 rows counted, more than 8");
        assertTrue(StoreFill.trainsWhileReading(config.toBuilder().setData(config.getData().toBuilder()
                .setShuffleWindow(40)).build()).isEmpty(), "at most the window: the whole file first");
        assertTrue(StoreFill.trainsWhileReading(base.toBuilder().setData(base.getData().toBuilder()
                .setShuffleWindow(8)).build()).isEmpty(), "a split draws from the whole file");
        RunFailure failure = assertThrows(RunFailure.class, () -> {
            try (PairStore.Writer writer = PairStore.writer(tmp.resolve("store"))) {
                loader().fill(config, new RecordingReporter(), () -> false, writer, 40, "f");
            }
        });
        assertTrue(failure.getMessage().contains("40 rows counted but 39 pairs tokenized"), failure.getMessage());
        assertTrue(failure.getMessage().contains("data.shuffle_window to at least 40"), failure.getMessage());
        assertEquals("data.training_file", failure.param());
        assertTrue(PairStore.open(tmp.resolve("store")).isEmpty());
    }

    @Test
    void validatedStoresThatAKilledProcessLeftAreRemovedAtStartUpAndLiveOnesKept(@TempDir Path state)
            throws Exception {
        Path runData = state.resolve("run-data");
        Path leftByAnOlderRelease = Files.createDirectories(runData.resolve("validated-old"));
        Files.writeString(leftByAnOlderRelease.resolve("pairs.bin"), "x");
        Path unlocked = Files.createDirectories(runData.resolve("validated-killed"));
        Files.writeString(runData.resolve("validated-killed.lock"), "");
        Path run = Files.createDirectories(runData.resolve("run-7"));
        try (ValidatedFolder live = ValidatedFolder.create(runData)) {
            Files.createDirectories(live.dir());
            new PipelineRunExecutor(state.resolve("cache"), runData, null).close();
            assertFalse(Files.exists(leftByAnOlderRelease));
            assertFalse(Files.exists(unlocked));
            assertFalse(Files.exists(runData.resolve("validated-killed.lock")));
            assertTrue(Files.isDirectory(live.dir()), "another live orchestrator's validated store stays");
            assertTrue(Files.isDirectory(run), "a run's own store is its run's business");
        }
    }

    @Test
    void aTokenizerLostMidReadIsReadAgainKeepingThePairsARunIsAlreadyReading() throws Exception {
        Path data = PipelineEndToEndTest.writePairs(tmp.resolve("lost.jsonl"), 40);
        RunConfig base = PipelineEndToEndTest.config(data, tmp.resolve("out-lost"), 4);
        RunConfig config = base.toBuilder()
                .setReference(ReferenceConfig.newBuilder().setMode(ReferenceMode.REFERENCE_MODE_STREAMING))
                .setData(base.getData().toBuilder().setValidationSplit(0).setShuffleWindow(8)).build();
        String name = InProcessServerBuilder.generateName();
        Server lossy = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(
                new TokenizerGrpcService(tokenizers, work, PathRoots.anywhere()), endFirstCallAfterPairs(15))).build()
                .start();
        ManagedChannel lossyChannel = InProcessChannelBuilder.forName(name).build();
        AtomicBoolean filling = new AtomicBoolean(true);
        AtomicReference<Throwable> readFailure = new AtomicReference<>();
        RecordingReporter reporter = new RecordingReporter();
        try (PairStore.Writer writer = PairStore.writer(tmp.resolve("store"));
             PairStore store = writer.inFileOrder(40, "f", 5)) {
            // the run's side: reads every pair stored so far, again and again, while the read starts over; a pair
            // once readable must stay so (the read started again used to drop them, failing a read under way)
            // (it goes on asking after a failure: the writer waits for its asks)
            Thread reader = new Thread(() -> {
                int readable = 0;
                while (filling.get()) {
                    try {
                        for (int i = 0; i < 40 && store.stored(i, 0); i++) {
                            store.training(i);
                            readable = Math.max(readable, i + 1);
                        }
                        if (readable > 0 && !store.stored(readable - 1, 0)) {
                            throw new AssertionError("pair " + (readable - 1) + " was readable and is no longer");
                        }
                    } catch (Throwable e) {
                        readFailure.compareAndSet(null, e);
                    }
                }
            });
            reader.start();
            try {
                new DatasetLoader(lossyChannel, "in-process", new ServiceRetries(1, 1))
                        .fill(config, reporter, () -> false, writer, 40, "f");
            } finally {
                filling.set(false);
                reader.join();
            }
            assertEquals(null, readFailure.get(), "a read while the tokenizer's read started over");
            assertTrue(reporter.messages.stream().anyMatch(m -> m.contains("retry 1")), reporter.messages.toString());
            try (PairStore.Writer again = PairStore.writer(tmp.resolve("uninterrupted"));
                 PairStore whole = again.inFileOrder(40, "f", 1000)) {
                loader().fill(config, new RecordingReporter(), () -> false, again, 40, "f");
                for (int i = 0; i < 40; i++) {
                    assertSamePair(whole.training(i), store.training(i));
                }
            }
        } finally {
            lossyChannel.shutdownNow();
            lossy.shutdownNow();
        }
    }

    /**
     * Ends the first TokenizeDataset call UNAVAILABLE once {@code pairs} pairs went out, as a tokenizer killed
     * mid-read; the service's own later messages for it are dropped.
     */
    private static ServerInterceptor endFirstCallAfterPairs(int pairs) {
        AtomicInteger calls = new AtomicInteger();
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                              ServerCallHandler<Q, A> next) {
                if (calls.incrementAndGet() > 1) {
                    return next.startCall(call, headers);
                }
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    private int sent;
                    private boolean ended;

                    @Override
                    public synchronized void sendMessage(A message) {
                        if (ended) {
                            return;
                        }
                        super.sendMessage(message);
                        if (message instanceof TokenizeResponse response && response.hasPair() && ++sent == pairs) {
                            ended = true;
                            super.close(Status.UNAVAILABLE.withDescription("the tokenizer was killed"),
                                    new Metadata());
                        }
                    }

                    @Override
                    public synchronized boolean isReady() {
                        // the service sends on into the void, so its pass ends and frees the executor
                        return ended || super.isReady();
                    }

                    @Override
                    public synchronized void close(Status status, Metadata trailers) {
                        if (!ended) {
                            ended = true;
                            super.close(status, trailers);
                        }
                    }
                }, headers);
            }
        };
    }

    private static void assertSameOrder(DatasetLoader.Pairs held, PairStore store) throws Exception {
        assertEquals(held.training().size(), store.trainingSize());
        for (int i = 0; i < held.training().size(); i++) {
            assertSamePair(held.training().get(i), store.training(i));
        }
        List<EncodedPair> validation = store.validation();
        assertEquals(held.validation().size(), validation.size());
        for (int i = 0; i < validation.size(); i++) {
            assertSamePair(held.validation().get(i), validation.get(i));
        }
    }

    private static void assertSamePair(EncodedPair expected, EncodedPair actual) {
        assertEquals(expected.sourceLine(), actual.sourceLine());
        assertArrayEquals(expected.promptIds(), actual.promptIds());
        assertArrayEquals(expected.chosenIds(), actual.chosenIds());
        assertArrayEquals(expected.rejectedIds(), actual.rejectedIds());
        assertEquals(expected.truncated(), actual.truncated());
    }
}
