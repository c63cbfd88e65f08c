package dev.jdpo.orchestrator.bench;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Wall time of a run whose reference log-probs are all in the cache against the same run with an empty cache: each
 * round starts an orchestrator with a fresh state directory (and so a fresh reference cache), times the quickstart
 * run (cold), then times it again (warm). One discarded round loads libtorch first. The run's own
 * {@code created_at}..{@code finished_at} is timed (validation, scoring and training), so client start-up is left out.
 * Usage: RerunBenchmark REPO_ROOT [rounds] [max-steps, 0 = the config's]
 */
public final class RerunBenchmark {

    private RerunBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long maxSteps = args.length > 2 ? Long.parseLong(args[2]) : 0;
        Path work = Files.createTempDirectory("jdpo-rerun-bench");
        RunConfig quickstart = withPaths(new RunConfigReader().read(repo.resolve("examples/quickstart.yaml"),
                List.of()), repo, maxSteps);
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            double[] pair = coldThenWarm(repo, work.resolve("round-" + round), quickstart);
            if (round == 0) {
                System.out.printf(Locale.ROOT, "warm-up round: cold %.3f s, warm %.3f s (not counted)%n",
                        pair[0], pair[1]);
                continue;
            }
            cold.add(pair[0]);
            warm.add(pair[1]);
            System.out.printf(Locale.ROOT, "round %d: cold %.3f s, warm %.3f s%n", round, pair[0], pair[1]);
        }
        double coldMedian = BenchRuns.median(cold);
        double warmMedian = BenchRuns.median(warm);
        System.out.printf(Locale.ROOT, "median: cold cache %.3f s, warm cache %.3f s, warm/cold %.2f%n",
                coldMedian, warmMedian, warmMedian / coldMedian);
    }

    private static double[] coldThenWarm(Path repo, Path dir, RunConfig config) throws Exception {
        try (OrchestratorServer server = OrchestratorServer.start(Map.of(
                "jdpo.state-dir", dir.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(dir.getParent().toString(), repo.toString()),
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", BenchRuns.freePort()), List.of(), true)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                RunServiceGrpc.RunServiceBlockingStub stub = RunServiceGrpc.newBlockingStub(channel);
                return new double[] {timeRun(stub, withOutput(config, dir.resolve("cold"))),
                        timeRun(stub, withOutput(config, dir.resolve("warm")))};
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static RunConfig withPaths(RunConfig config, Path repo, long maxSteps) {
        RunConfig.Builder b = config.toBuilder();
        b.getModelBuilder().setPolicy(repo.resolve(config.getModel().getPolicy()).toString())
                .setReference(repo.resolve(config.getModel().getReference()).toString());
        b.getDataBuilder().setTrainingFile(repo.resolve(config.getData().getTrainingFile()).toString());
        if (maxSteps > 0) {
            b.getTrainingBuilder().setMaxSteps(maxSteps);
        }
        return b.build();
    }

    private static RunConfig withOutput(RunConfig config, Path output) {
        RunConfig.Builder b = config.toBuilder();
        b.getOutputBuilder().setOutputDir(output.toString());
        return b.build();
    }

    /** Seconds from the run's creation to its finish, as the orchestrator recorded them. */
    private static double timeRun(RunServiceGrpc.RunServiceBlockingStub stub, RunConfig config) {
        Run done = BenchRuns.runToSuccess(stub, config);
        return BenchRuns.seconds(done.getFinishedAt()) - BenchRuns.seconds(done.getCreatedAt());
    }
}
