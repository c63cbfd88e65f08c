package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.LoadOptions;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.proto.internal.v1.ScoreRequest;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.reference.ReferenceModel;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import dev.jdpo.reference.grpc.ReferenceServiceEndpoint;
import dev.jdpo.trainer.grpc.TrainerServiceEndpoint;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over real sockets, where HTTP/2's flow-control window (about 1 MiB, thousands of these pairs) would take pairs the
 * trainer has not asked for, streaming still scores at most {@code window_pairs} ahead of the pairs the trainer
 * took: a reference replica and a trainer on Netty servers count, at every Score request, the training pairs scored
 * so far against the pairs handed to the trainer, which takes a pair only every 20 ms.
 */
class StreamingWindowOverNettyTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final int WINDOW = 8;
    private static final long STEPS = 30;

    @TempDir
    Path tmp;

    @Test
    void scoringStaysWithinTheWindowOfWhatASlowTrainerTook() throws Exception {
        AtomicLong scored = new AtomicLong();
        AtomicLong delivered = new AtomicLong();
        AtomicLong mostAhead = new AtomicLong(Long.MIN_VALUE);
        ServerInterceptor countScored = onMessage(message -> {
            if (message instanceof ScoreRequest request) {
                long ahead = scored.addAndGet(request.getPairsCount()) - delivered.get();
                mostAhead.accumulateAndGet(ahead, Math::max);
            }
        });
        ServerInterceptor slowTrainer = onMessage(message -> {
            if (message instanceof TrainInput input && input.hasPair()) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.incrementAndGet();
            }
        });
        Path train = PipelineEndToEndTest.writePairs(tmp.resolve("train.jsonl"), 120);
        try (ScoreCache cache = ScoreCache.inMemory();
             ReferenceModel reference = ReferenceModel.load(REPO.resolve("examples/tiny-llama-ref"), null,
                     LoadOptions.cpu(), cache, BatchLimits.defaults());
             TrainerServiceEndpoint trainer = new TrainerServiceEndpoint(60)) {
            Server replica = netty(ServerInterceptors.intercept(new ReferenceServiceEndpoint(reference.scorer(),
                    "replica"), countScored));
            Server trainerServer = netty(ServerInterceptors.intercept(trainer, slowTrainer));
            try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
                 RunClient client = new RunClient(server.port())) {
                RunConfig base = PipelineEndToEndTest.config(train, tmp.resolve("out"), STEPS);
                // no validation pairs: every pair scored is a training pair
                RunConfig config = base.toBuilder()
                        .setData(DataConfig.newBuilder().setTrainingFile(train.toString()).setValidationSplit(0))
                        .setOutput(base.getOutput().toBuilder().setEvalInterval(0))
                        .setReference(ReferenceConfig.newBuilder().setMode(ReferenceMode.REFERENCE_MODE_STREAMING)
                                .setWindowPairs(WINDOW))
                        .setServices(ServicesConfig.newBuilder()
                                .addReferenceAddresses("127.0.0.1:" + replica.getPort())
                                .setTrainerAddress("127.0.0.1:" + trainerServer.getPort()))
                        .build();
                Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
                client.watch(run.getId(), 0);
                Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
                assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
                assertEquals(STEPS, done.getStep());
            } finally {
                replica.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                trainerServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        long trained = 2 * STEPS;
        assertTrue(delivered.get() >= trained, delivered + " pairs reached the trainer");
        assertEquals(trained, scored.get(), "the reference scores the pairs the steps take, none past them");
        // the bound itself, at every moment scoring began: the trainer took no more than it was handed, so this is
        // at least how far scoring ran ahead of what it took; without the trainer's count the window's scorer would
        // run on through the epochs into the transport's buffers
        assertTrue(mostAhead.get() <= WINDOW, "scoring ran " + mostAhead + " pairs ahead of the trainer");
        assertTrue(mostAhead.get() > 0, "scoring never ran ahead of the trainer: " + mostAhead);
    }

    private static Server netty(ServerServiceDefinition service) throws Exception {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service).build().start();
    }

    /** An interceptor that shows each inbound message to {@code seen} before the service gets it. */
    private static ServerInterceptor onMessage(Consumer<Object> seen) {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                              ServerCallHandler<Q, A> next) {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                        next.startCall(call, headers)) {
                    @Override
                    public void onMessage(Q message) {
                        seen.accept(message);
                        super.onMessage(message);
                    }
                };
            }
        };
    }
}
