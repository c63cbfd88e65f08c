package dev.jdpo.orchestrator.bench;

import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.ServicesConfig;
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
 * Wall time of the quickstart run (examples/quickstart.yaml) submitted over gRPC, with the reference model in the
 * orchestrator's JVM ("embedded") and on a separate replica JVM ({@code jdpo serve reference}, "remote"). One
 * discarded warm-up run per mode loads libtorch and fills both reference score caches (the embedded one on disk,
 * the replica's in memory), so the timed runs compare warm pipelines; runs alternate between the modes so
 * machine load hits both alike. Usage: ReferencePlacementBenchmark REPO_ROOT [runs-per-mode]
 */
public final class ReferencePlacementBenchmark {

    private ReferencePlacementBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Path work = Files.createTempDirectory("jdpo-bench");
        int replicaPort = BenchRuns.freePort();
        Process replica = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "dev.jdpo.orchestrator.cli.JdpoCli", "serve", "reference", "--port", String.valueOf(replicaPort),
                "--model", repo.resolve("examples/tiny-llama-ref").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("replica.log").toFile()).start();
        try (OrchestratorServer server = OrchestratorServer.start(Map.of(
                "jdpo.state-dir", work.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(work.toString(), repo.toString()),
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", BenchRuns.freePort()), List.of(), true)) {
            awaitReplica(replica, work.resolve("replica.log"));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            RunServiceGrpc.RunServiceBlockingStub stub = RunServiceGrpc.newBlockingStub(channel);
            RunConfig quickstart = new RunConfigReader().read(repo.resolve("examples/quickstart.yaml"), List.of());
            List<Double> embedded = new ArrayList<>();
            List<Double> remote = new ArrayList<>();
            System.out.printf(Locale.ROOT, "warm-up: embedded %.2f s, remote reference %.2f s (not counted)%n",
                    BenchRuns.wallSeconds(stub, withPaths(quickstart, repo, work.resolve("embedded-warm-up"), null)),
                    BenchRuns.wallSeconds(stub, withPaths(quickstart, repo, work.resolve("remote-warm-up"),
                            "127.0.0.1:" + replicaPort)));
            for (int i = 0; i < runs; i++) {
                embedded.add(BenchRuns.wallSeconds(stub, withPaths(quickstart, repo, work.resolve("embedded-" + i), null)));
                remote.add(BenchRuns.wallSeconds(stub, withPaths(quickstart, repo, work.resolve("remote-" + i),
                        "127.0.0.1:" + replicaPort)));
                System.out.printf(Locale.ROOT, "run %d: embedded %.2f s, remote reference %.2f s%n", i + 1,
                        embedded.get(i), remote.get(i));
            }
            channel.shutdownNow();
            double embeddedMedian = BenchRuns.median(embedded);
            double remoteMedian = BenchRuns.median(remote);
            System.out.printf(Locale.ROOT, "median of %d runs: embedded %.2f s, remote reference %.2f s, "
                    + "remote/embedded %.2f%n", runs, embeddedMedian, remoteMedian, remoteMedian / embeddedMedian);
        } finally {
            replica.destroy();
            replica.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static RunConfig withPaths(RunConfig config, Path repo, Path output, String replica) {
        RunConfig.Builder b = config.toBuilder();
        b.getModelBuilder().setPolicy(repo.resolve(config.getModel().getPolicy()).toString())
                .setReference(repo.resolve(config.getModel().getReference()).toString());
        b.getDataBuilder().setTrainingFile(repo.resolve(config.getData().getTrainingFile()).toString());
        b.getOutputBuilder().setOutputDir(output.toString());
        if (replica != null) {
            b.setServices(ServicesConfig.newBuilder().addReferenceAddresses(replica));
        }
        return b.build();
    }



    private static void awaitReplica(Process replica, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("jdpo reference listening on")) {
            if (!replica.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("reference replica did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}
