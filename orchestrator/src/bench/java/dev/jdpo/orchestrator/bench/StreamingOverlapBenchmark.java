package dev.jdpo.orchestrator.bench;

import dev.jdpo.model.bench.RandomModel;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Does streaming overlap reference scoring with training? The reference is a random-weight Llama larger than the
 * tiny policy (so scoring is slower than training), served by its own JVM; the policy trains in the orchestrator's
 * JVM; each has one libtorch thread. Each round runs the same-sized dataset (fresh text per run, so the replica's
 * cache never answers) in precompute mode, where the run's events time scoring alone and training alone, and in
 * streaming mode, timed from the run's creation to its finish. Rounds alternate the order; one warm-up round is
 * discarded. Usage: StreamingOverlapBenchmark REPO_ROOT [rounds] [pairs] [reference-hidden] [reference-layers]
 */
public final class StreamingOverlapBenchmark {

    private StreamingOverlapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int hidden = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        int layers = args.length > 4 ? Integer.parseInt(args[4]) : 6;
        Path work = Files.createTempDirectory("jdpo-bench-overlap");
        Path reference = Files.createDirectories(work.resolve("reference"));
        RandomModel.write(reference, RandomModel.llama(512, hidden, hidden * 11 / 4, layers, 4, 2), 1);
        // the tiny models' tokenizer (vocabulary 512): a replica refuses a model directory without one
        for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(repo.resolve("examples/tiny-llama-ref").resolve(file), reference.resolve(file));
        }
        int referencePort = BenchRuns.freePort();
        Process replica = BenchRuns.serve(work, List.of("-Dai.djl.pytorch.num_threads=1",
                        "-Dai.djl.pytorch.num_interop_threads=1"), "reference",
                "jdpo reference listening on 127.0.0.1:" + referencePort, "--port", String.valueOf(referencePort),
                "--model", reference.toString());
        try (OrchestratorServer server = OrchestratorServer.start(Map.of(
                "jdpo.state-dir", work.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(work.toString(), repo.toString()),
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", BenchRuns.freePort()), List.of(), true)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            RunServiceGrpc.RunServiceBlockingStub stub = RunServiceGrpc.newBlockingStub(channel);
            List<Double> scoring = new ArrayList<>();
            List<Double> training = new ArrayList<>();
            List<Double> precompute = new ArrayList<>();
            List<Double> streaming = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                RunConfig pre = config(repo, work, "pre-" + round, pairs, referencePort,
                        ReferenceMode.REFERENCE_MODE_PRECOMPUTE);
                RunConfig str = config(repo, work, "str-" + round, pairs, referencePort,
                        ReferenceMode.REFERENCE_MODE_STREAMING);
                double[] phases;
                double streamed;
                if (round % 2 == 0) {
                    phases = precomputePhases(stub, pre);
                    streamed = wall(stub, str);
                } else {
                    streamed = wall(stub, str);
                    phases = precomputePhases(stub, pre);
                }
                System.out.printf(Locale.ROOT, "round %d%s: precompute %.2f s (scoring %.2f s, training %.2f s), "
                        + "streaming %.2f s%n", round, round == 0 ? " (warm-up, not counted)" : "", phases[0],
                        phases[1], phases[2], streamed);
                if (round > 0) {
                    precompute.add(phases[0]);
                    scoring.add(phases[1]);
                    training.add(phases[2]);
                    streaming.add(streamed);
                }
            }
            channel.shutdownNow();
            double score = BenchRuns.median(scoring);
            double train = BenchRuns.median(training);
            double pre = BenchRuns.median(precompute);
            double str = BenchRuns.median(streaming);
            System.out.printf(Locale.ROOT, "median of %d rounds, %d pairs: scoring alone %.2f s, training alone %.2f s, "
                    + "precompute run %.2f s, streaming run %.2f s; streaming / (scoring + training) %.2f, "
                    + "streaming / precompute %.2f%n", rounds, pairs, score, train, pre, str, str / (score + train),
                    str / pre);
        } finally {
            replica.destroy();
            replica.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The precompute run's wall, its scoring phase and its training phase, from its own events' times. */
    private static double[] precomputePhases(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config) {
        List<RunEvent> events = new ArrayList<>();
        Run done = BenchRuns.runToSuccess(stub, config, events);
        double scoringStart = time(events, "Scoring reference log-probs.*", true);
        double scoringEnd = time(events, "Reference log-probs: .*", false);
        double trainingStart = time(events, "Training \\d+ pairs for .*", true);
        double finished = BenchRuns.seconds(done.getFinishedAt());
        return new double[] {finished - BenchRuns.seconds(done.getCreatedAt()), scoringEnd - scoringStart,
                finished - trainingStart};
    }

    private static double wall(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config) {
        Run done = BenchRuns.runToSuccess(stub, config);
        return BenchRuns.seconds(done.getFinishedAt()) - BenchRuns.seconds(done.getCreatedAt());
    }

    /** The time of the first (or last) event whose message matches {@code regex}. */
    private static double time(List<RunEvent> events, String regex, boolean first) {
        List<RunEvent> matching = events.stream().filter(e -> e.getMessage().matches(regex)).toList();
        if (matching.isEmpty()) {
            throw new IllegalStateException("no event matching '" + regex + "' among " + events.size());
        }
        return BenchRuns.seconds(matching.get(first ? 0 : matching.size() - 1).getTime());
    }

    private static RunConfig config(Path repo, Path work, String name, int pairs, int referencePort,
                                     ReferenceMode mode) throws Exception {
        Path data = work.resolve(name + ".jsonl");
        List<String> lines = new ArrayList<>(pairs);
        for (int i = 0; i < pairs; i++) {
            lines.add("{\"prompt\": \"" + name + ", question " + i + ": what is " + i + " plus one?\", "
                    + "\"chosen\": \" It is " + (i + 1) + ".\", \"rejected\": \" I do not know " + i + ".\"}");
        }
        Files.write(data, lines);
        return RunConfig.newBuilder()
                .setModel(ModelConfig.newBuilder().setPolicy(repo.resolve("examples/tiny-llama").toString())
                        .setReference(work.resolve("reference").toString()).setDevice("cpu"))
                .setData(DataConfig.newBuilder().setTrainingFile(data.toString()))
                .setTraining(TrainingConfig.newBuilder().setBatchSize(4).setEpochs(1).setLearningRate(1e-4)
                        .setMaxLength(64))
                .setOutput(OutputConfig.newBuilder().setOutputDir(work.resolve(name).toString())
                        .setCheckpointInterval(100_000).setLogInterval(10))
                .setServices(ServicesConfig.newBuilder().addReferenceAddresses("127.0.0.1:" + referencePort))
                .setReference(ReferenceConfig.newBuilder().setMode(mode))
                .build();
    }
}
