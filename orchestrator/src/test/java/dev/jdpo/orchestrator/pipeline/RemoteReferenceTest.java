package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.state.MetricRepository;
import dev.jdpo.orchestrator.state.StateDatabase;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.ServicesConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same run with the reference model in the orchestrator's process and on a separate replica process
 * ({@code jdpo serve reference}) reports the same training metrics.
 */
class RemoteReferenceTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @TempDir
    Path tmp;

    @Test
    void remoteReferenceReplicaGivesTheSameMetricsAsTheInProcessReference() throws Exception {
        Path train = PipelineEndToEndTest.writePairs(tmp.resolve("train.jsonl"), 10);
        int replicaPort = TestWorkspace.freePort();
        Process replica = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Xss4m", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                "dev.jdpo.orchestrator.cli.JdpoCli", "serve", "reference", "--port", String.valueOf(replicaPort),
                "--model", REPO.resolve("examples/tiny-llama-ref").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("replica.log").toFile()).start();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            awaitLine(replica, tmp.resolve("replica.log"), "jdpo reference listening on 127.0.0.1:" + replicaPort);
            RunConfig local = PipelineEndToEndTest.config(train, tmp.resolve("local"), 4);
            RunConfig remote = local.toBuilder()
                    .setOutput(local.getOutput().toBuilder().setOutputDir(tmp.resolve("remote").toString()))
                    .setServices(ServicesConfig.newBuilder().addReferenceAddresses("127.0.0.1:" + replicaPort))
                    .build();
            Run localRun = runToEnd(client, local);
            Run remoteRun = runToEnd(client, remote);
            List<RunEvent> remoteEvents = server.runs().events().readAfter(remoteRun.getId(), 0, 1000);
            assertTrue(remoteEvents.stream().anyMatch(e -> e.getMessage().startsWith("Scoring reference log-probs on 1 "
                    + "replica")), "the remote run used the replica");

            MetricRepository metrics = new MetricRepository(server.context().getBean(StateDatabase.class));
            for (String name : List.of("loss", "rewards/chosen", "rewards/rejected", "grad_norm")) {
                Map<Long, Double> expected = metrics.series(localRun.getId(), name);
                Map<Long, Double> actual = metrics.series(remoteRun.getId(), name);
                assertEquals(expected.keySet(), actual.keySet(), name);
                assertEquals(4, expected.size(), name);
                for (Long step : expected.keySet()) {
                    assertEquals(expected.get(step), actual.get(step), 1e-5, name + " at step " + step);
                }
            }
        } finally {
            replica.destroy();
            replica.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Run runToEnd(RunClient client, RunConfig config) {
        Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
        client.watch(run.getId(), 0);
        Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
        return done;
    }

    private static void awaitLine(Process process, Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log).contains(line)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("replica did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }
}
