package dev.jdpo.trainer.grpc;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.internal.v1.Control;
import dev.jdpo.proto.internal.v1.ControlAction;
import dev.jdpo.proto.internal.v1.EndOfPairs;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainerServiceGrpc;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.StepResult;
import dev.jdpo.trainer.run.TrainingListener;
import dev.jdpo.trainer.run.TrainingRun;
import dev.jdpo.trainer.server.TrainerServer;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the TrainerService costs over calling the engine directly, on the tiny Llama:
 * (1) upload: pairs per second streamed to a trainer over TCP loopback with client-side flow control (the job is
 * cancelled before end_of_pairs, so only transfer, conversion and per-pair checks are timed), cold then warm;
 * (2) per-step period: the median time between consecutive steps as the caller sees them, for a direct
 * TrainingRun, an in-process channel and TCP loopback, alternated over rounds so machine load hits all alike.
 * Args: repo root, upload pairs (default 20000), steps per run (default 200), rounds (default 3).
 */
public final class TrainerGrpcBenchmark {

    private TrainerGrpcBenchmark() { }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        int uploadPairs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path policy = root.resolve("examples/tiny-llama");
        Path scratch = Files.createTempDirectory("jdpo-trainer-grpc-bench");

        TrainerServiceEndpoint endpoint = new TrainerServiceEndpoint(60);
        String name = InProcessServerBuilder.generateName();
        Server inProcessServer = InProcessServerBuilder.forName(name).addService(endpoint).build().start();
        ManagedChannel inProcess = InProcessChannelBuilder.forName(name).build();
        try (TrainerServer tcpServer = TrainerServer.start("127.0.0.1", 0, new TrainerServiceEndpoint(60))) {
            ManagedChannel tcp = ManagedChannelBuilder.forAddress("localhost", tcpServer.port()).usePlaintext()
                    .build();
            List<TrainingPair> uploaded = pairs(uploadPairs, 128, 128, 1);
            // the first pass includes JIT warm-up of both ends, the second is the steady state
            upload(tcp, policy, scratch, uploaded, "cold");
            upload(tcp, policy, scratch, uploaded, "warm");

            List<TrainingPair> training = pairs(64, 24, 16, 2);
            TrainingConfig config = TrainingConfig.builder().learningRate(1e-4).batchSize(4).maxSteps(steps)
                    .saveSteps(0).loggingSteps(steps).build();
            List<Double> direct = new ArrayList<>();
            List<Double> viaInProcess = new ArrayList<>();
            List<Double> viaTcp = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                direct.addAll(directPeriods(policy, training, config, scratch.resolve("direct-" + round)));
                viaInProcess.addAll(grpcPeriods(inProcess, policy, training, config, scratch.resolve("inproc-" + round)));
                viaTcp.addAll(grpcPeriods(tcp, policy, training, config, scratch.resolve("tcp-" + round)));
            }
            double d = median(direct);
            double i = median(viaInProcess);
            double t = median(viaTcp);
            System.out.printf(Locale.ROOT, "step period, median over %d steps x %d rounds (tiny Llama, batch 4):%n",
                    steps - 1, rounds);
            System.out.printf(Locale.ROOT, "  direct TrainingRun  %8.3f ms%n", d);
            System.out.printf(Locale.ROOT, "  in-process gRPC     %8.3f ms  (x%.3f)%n", i, i / d);
            System.out.printf(Locale.ROOT, "  TCP loopback gRPC   %8.3f ms  (x%.3f)%n", t, t / d);
            tcp.shutdownNow();
        } finally {
            inProcess.shutdownNow();
            inProcessServer.shutdownNow();
            endpoint.close();
        }
    }

    private static void upload(Channel channel, Path policy, Path scratch, List<TrainingPair> pairs, String label)
            throws Exception {
        List<TrainInput> inputs = new ArrayList<>(pairs.size() + 3);
        TrainingConfig config = TrainingConfig.builder().maxSteps(1).build();
        inputs.add(TrainInput.newBuilder().setJob(job(policy, scratch.resolve("upload"), config)).build());
        long bytes = 0;
        for (int i = 0; i < pairs.size(); i++) {
            TrainInput pair = TrainInput.newBuilder().setPair(ProtoPairs.toProto(pairs.get(i), i)).build();
            bytes += pair.getSerializedSize();
            inputs.add(pair);
        }
        inputs.add(TrainInput.newBuilder().setControl(Control.newBuilder()
                .setAction(ControlAction.CONTROL_ACTION_CANCEL)).build());
        long start = System.nanoTime();
        List<TrainProgress> progress = call(channel, inputs, null);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!progress.get(progress.size() - 1).hasFinished()) {
            throw new IllegalStateException("upload did not finish: " + progress);
        }
        System.out.printf(Locale.ROOT, "upload over TCP loopback (%s): %d pairs (%.1f MiB) in %.2f s = %.0f pairs/s, "
                + "%.1f MiB/s%n", label, pairs.size(), bytes / 1048576.0, seconds, pairs.size() / seconds,
                bytes / 1048576.0 / seconds);
    }

    private static List<Double> directPeriods(Path policyDir, List<TrainingPair> pairs, TrainingConfig config,
                                              Path output) throws Exception {
        List<Long> stamps = new ArrayList<>();
        try (CausalLM policy = CausalLM.load(policyDir, LoadOptions.trainableCpu());
             TrainingRun run = TrainingRun.start(policy, 0, pairs, config,
                     new TrainingRun.Output(output, SaveOptions.defaults()))) {
            run.run(new TrainingListener() {
                @Override
                public void onStep(StepResult result, int totalSteps) {
                    stamps.add(System.nanoTime());
                }
            });
        }
        return periods(stamps);
    }

    private static List<Double> grpcPeriods(Channel channel, Path policy, List<TrainingPair> pairs,
                                            TrainingConfig config, Path output) throws Exception {
        List<TrainInput> inputs = new ArrayList<>();
        inputs.add(TrainInput.newBuilder().setJob(job(policy, output, config)).build());
        for (int i = 0; i < pairs.size(); i++) {
            inputs.add(TrainInput.newBuilder().setPair(ProtoPairs.toProto(pairs.get(i), i)).build());
        }
        inputs.add(TrainInput.newBuilder().setEndOfPairs(EndOfPairs.getDefaultInstance()).build());
        List<Long> stamps = new ArrayList<>();
        call(channel, inputs, stamps);
        return periods(stamps);
    }

    /** Sends {@code inputs} as the transport allows, returns every message; stamps arrival times of steps. */
    private static List<TrainProgress> call(Channel channel, List<TrainInput> inputs, List<Long> stepStamps)
            throws Exception {
        CompletableFuture<List<TrainProgress>> done = new CompletableFuture<>();
        List<TrainProgress> received = new ArrayList<>();
        Iterator<TrainInput> pending = inputs.iterator();
        TrainerServiceGrpc.newStub(channel).train(new ClientResponseObserver<TrainInput, TrainProgress>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<TrainInput> requests) {
                boolean[] closed = {false};
                requests.setOnReadyHandler(() -> {
                    while (requests.isReady() && pending.hasNext()) {
                        requests.onNext(pending.next());
                    }
                    if (!pending.hasNext() && !closed[0]) {
                        closed[0] = true;
                        requests.onCompleted();
                    }
                });
            }

            @Override
            public void onNext(TrainProgress progress) {
                if (progress.hasStep() && stepStamps != null) {
                    stepStamps.add(System.nanoTime());
                }
                received.add(progress);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(received);
            }
        });
        return done.get(30, TimeUnit.MINUTES);
    }

    private static TrainJob job(Path policy, Path output, TrainingConfig config) {
        return TrainJob.newBuilder().setRunId(output.getFileName().toString()).setPolicyPath(policy.toString())
                .setTraining(dev.jdpo.proto.v1.TrainingConfig.newBuilder().setLearningRate(config.learningRate())
                        .setBatchSize(config.batchSize()).setMaxSteps(config.maxSteps()).setSeed(config.seed())
                        .setWarmupRatio(config.warmupRatio()))
                .setOutput(OutputConfig.newBuilder().setOutputDir(output.toString())
                        .setCheckpointInterval(config.saveSteps()).setLogInterval(config.loggingSteps()))
                .setPadId(0).setDevice("cpu").build();
    }

    private static List<TrainingPair> pairs(int count, int promptLength, int completionLength, long seed) {
        Random random = new Random(seed);
        List<TrainingPair> pairs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pairs.add(new TrainingPair(new PairTokens(ids(random, promptLength), ids(random, completionLength),
                    ids(random, completionLength)),
                    new PairLogProbs(-5.0 * completionLength, -5.5 * completionLength, completionLength,
                            completionLength, null, null)));
        }
        return pairs;
    }

    private static int[] ids(Random random, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + random.nextInt(500);
        }
        return ids;
    }

    private static List<Double> periods(List<Long> stamps) {
        List<Double> periods = new ArrayList<>();
        for (int i = 1; i < stamps.size(); i++) {
            periods.add((stamps.get(i) - stamps.get(i - 1)) / 1e6);
        }
        return periods;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
