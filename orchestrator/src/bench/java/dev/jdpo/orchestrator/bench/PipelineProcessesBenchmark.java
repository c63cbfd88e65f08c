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
 * Wall time of the quickstart run (examples/quickstart.yaml) submitted over gRPC to an embedded orchestrator (every
 * service in its JVM, in-process channels) and to an orchestrator JVM whose tokenizer, reference and trainer are
 * three more JVMs on loopback. One discarded warm-up run per mode loads libtorch in every JVM and fills the reference caches; timed
 * runs alternate between the modes so machine load hits both alike. Usage: PipelineProcessesBenchmark REPO_ROOT
 * [runs-per-mode]
 */
public final class PipelineProcessesBenchmark {

    private PipelineProcessesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("jdpo-bench-pipeline");
        int tokenizerPort = BenchRuns.freePort();
        int referencePort = BenchRuns.freePort();
        int trainerPort = BenchRuns.freePort();
        int orchestratorPort = BenchRuns.freePort();
        List<Process> services = new ArrayList<>();
        try (OrchestratorServer embeddedServer = OrchestratorServer.start(Map.of(
                "jdpo.state-dir", work.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(work.toString(), repo.toString()),
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", BenchRuns.freePort()), List.of(), true)) {
            services.add(BenchRuns.serve(work, List.of(), "tokenizer", "jdpo tokenizer listening on 127.0.0.1:" + tokenizerPort,
                    "--port", String.valueOf(tokenizerPort), "--read-root", repo.toString()));
            services.add(BenchRuns.serve(work, List.of(), "reference", "jdpo reference listening on 127.0.0.1:" + referencePort,
                    "--port", String.valueOf(referencePort), "--model",
                    repo.resolve("examples/tiny-llama-ref").toString()));
            services.add(BenchRuns.serve(work, List.of(), "trainer", "jdpo trainer listening on 127.0.0.1:" + trainerPort,
                    "--port", String.valueOf(trainerPort), "--read-root", repo.toString(), "--write-root",
                    work.toString()));
            services.add(BenchRuns.serve(work, List.of(), "orchestrator", "jdpo orchestrator listening on 127.0.0.1:" + orchestratorPort,
                    "--port", String.valueOf(orchestratorPort), "--state-dir", work.resolve("state-separate").toString(),
                    "--allowed-root", work.toString(), "--allowed-root", repo.toString()));
            ManagedChannel embeddedChannel = NettyChannelBuilder.forAddress("127.0.0.1", embeddedServer.port())
                    .usePlaintext().build();
            ManagedChannel separateChannel = NettyChannelBuilder.forAddress("127.0.0.1", orchestratorPort)
                    .usePlaintext().build();
            RunServiceGrpc.RunServiceBlockingStub embedded = RunServiceGrpc.newBlockingStub(embeddedChannel);
            RunServiceGrpc.RunServiceBlockingStub separate = RunServiceGrpc.newBlockingStub(separateChannel);
            RunConfig quickstart = new RunConfigReader().read(repo.resolve("examples/quickstart.yaml"), List.of());
            ServicesConfig remote = ServicesConfig.newBuilder().setTokenizerAddress("127.0.0.1:" + tokenizerPort)
                    .addReferenceAddresses("127.0.0.1:" + referencePort)
                    .setTrainerAddress("127.0.0.1:" + trainerPort).build();
            System.out.printf(Locale.ROOT, "warm-up: embedded %.2f s, separate JVMs %.2f s (not counted)%n",
                    BenchRuns.wallSeconds(embedded, withPaths(quickstart, repo, work.resolve("embedded-warm-up"), null)),
                    BenchRuns.wallSeconds(separate, withPaths(quickstart, repo, work.resolve("separate-warm-up"), remote)));
            List<Double> embeddedTimes = new ArrayList<>();
            List<Double> separateTimes = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                embeddedTimes.add(BenchRuns.wallSeconds(embedded, withPaths(quickstart, repo, work.resolve("embedded-" + i), null)));
                separateTimes.add(BenchRuns.wallSeconds(separate, withPaths(quickstart, repo, work.resolve("separate-" + i),
                        remote)));
                System.out.printf(Locale.ROOT, "run %d: embedded %.2f s, separate JVMs %.2f s%n", i + 1,
                        embeddedTimes.get(i), separateTimes.get(i));
            }
            embeddedChannel.shutdownNow();
            separateChannel.shutdownNow();
            double embeddedMedian = BenchRuns.median(embeddedTimes);
            double separateMedian = BenchRuns.median(separateTimes);
            System.out.printf(Locale.ROOT, "median of %d runs: embedded %.2f s, separate JVMs %.2f s, "
                    + "separate/embedded %.2f%n", runs, embeddedMedian, separateMedian, separateMedian / embeddedMedian);
        } finally {
            for (Process service : services) {
                service.destroy();
                service.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static RunConfig withPaths(RunConfig config, Path repo, Path output, ServicesConfig services) {
        RunConfig.Builder b = config.toBuilder();
        b.getModelBuilder().setPolicy(repo.resolve(config.getModel().getPolicy()).toString())
                .setReference(repo.resolve(config.getModel().getReference()).toString());
        b.getDataBuilder().setTrainingFile(repo.resolve(config.getData().getTrainingFile()).toString());
        b.getOutputBuilder().setOutputDir(output.toString());
        if (services != null) {
            b.setServices(services);
        }
        return b.build();
    }
}
