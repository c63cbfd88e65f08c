package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ServiceProcess;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.ServicesConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference replicas as separate JVMs at the run level: one killed while the run is scoring costs nothing (every
 * pair scored once, the same metrics as a one-replica run), and replicas that are down fail the run cleanly.
 */
class ReferenceReplicasRunTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final int PAIRS = 1200;
    // wall-clock rates differ between any two runs
    private static final Set<String> TIMINGS = Set.of("tokens_per_second", "pairs_per_second", "eval_runtime",
            "eval_samples_per_second", "eval_steps_per_second");

    @TempDir
    Path tmp;

    @Test
    void aReplicaKilledWhileTheRunScoresLosesNoPairAndTheMetricsMatchOneReplica() throws Exception {
        Path train = PipelineEndToEndTest.writePairs(tmp.resolve("train.jsonl"), PAIRS);
        List<ServiceProcess> replicas = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            for (int i = 0; i < 3; i++) {
                int port = TestWorkspace.freePort();
                replicas.add(ServiceProcess.start(tmp.resolve("replica-" + i + ".log"),
                        "jdpo reference listening on 127.0.0.1:" + port, "reference", "--port", String.valueOf(port),
                        "--model", REPO.resolve("examples/tiny-llama-ref").toString()));
                addresses.add("127.0.0.1:" + port);
            }
            RunConfig three = config(train, tmp.resolve("three"), addresses);
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(three).build());
            awaitEvent(server, run.getId(), "Reference log-probs: ");
            replicas.get(1).kill();
            Map<String, Double> afterKill = metricsOfRunToEnd(client, run.getId());

            Map<String, Double> single = metricsOfRunToEnd(client, client.stub().createRun(
                    CreateRunRequest.newBuilder().setConfig(config(train, tmp.resolve("one"),
                            List.of(addresses.get(0)))).build()).getId());

            assertTrue(afterKill.get("0/reference/batches_moved") >= 1,
                    "the killed replica's batches moved: " + afterKill);
            assertEquals(PAIRS, afterKill.get("0/reference/cache_hits") + afterKill.get("0/reference/cache_misses"),
                    "every pair scored exactly once into the trainer");
            // the reference/ counters describe the replicas (how many, what moved, what they had cached), not the model
            afterKill.keySet().removeIf(k -> k.contains("/reference/"));
            single.keySet().removeIf(k -> k.contains("/reference/"));
            assertEquals(single.keySet(), afterKill.keySet());
            assertTrue(single.keySet().containsAll(Set.of("4/loss", "4/eval_loss")), single.keySet().toString());
            for (String key : single.keySet()) {
                assertEquals(single.get(key), afterKill.get(key), 1e-5, key);
            }
        } finally {
            for (ServiceProcess replica : replicas) {
                replica.kill();
            }
        }
    }

    @Test
    void replicasThatAreDownFailTheRunNamingThemAfterTheRetries() throws Exception {
        List<String> addresses = List.of("127.0.0.1:" + TestWorkspace.freePort(),
                "127.0.0.1:" + TestWorkspace.freePort());
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            RunConfig config = SeparateProcessesTest.quickstartRun(tmp.resolve("out")).toBuilder()
                    .setServices(ServicesConfig.newBuilder().addAllReferenceAddresses(addresses)
                            .setUnavailableRetries(2).setRetryBackoffMs(200))
                    .build();
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            List<RunEvent> events = client.watch(run.getId(), 0);
            // timed by the run's own events, from the start of scoring to the failure: validation and loading the
            // model come before it and are slow on a busy machine; the retries configured take 0.6 s, the defaults 15.5
            RunEvent scoring = events.stream().filter(e -> e.getMessage().startsWith("Scoring reference log-probs on"))
                    .findFirst().orElseThrow(() -> new AssertionError("no scoring event: " + events));
            double seconds = secondsBetween(scoring, events.get(events.size() - 1));
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_FAILED, done.getStatus());
            assertEquals("service_unavailable", done.getError().getCode());
            assertEquals("services.reference_addresses", done.getError().getParam());
            String message = done.getError().getMessage();
            assertTrue(message.contains(addresses.get(0)) && message.contains(addresses.get(1)), message);
            assertTrue(message.contains("failed 3 times"), "2 retries after the first attempt: " + message);
            assertTrue(seconds < 10, "failed " + seconds + " s after scoring started");
        }
    }

    private static double secondsBetween(RunEvent from, RunEvent to) {
        return (to.getTime().getSeconds() - from.getTime().getSeconds())
                + (to.getTime().getNanos() - from.getTime().getNanos()) / 1e9;
    }

    private static RunConfig config(Path train, Path outputDir, List<String> referenceAddresses) {
        RunConfig config = PipelineEndToEndTest.config(train, outputDir, 4);
        return config.toBuilder()
                .setData(config.getData().toBuilder().setValidationSplit(0.05))
                .setServices(ServicesConfig.newBuilder().addAllReferenceAddresses(referenceAddresses))
                .build();
    }

    private static void awaitEvent(OrchestratorServer server, String runId, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (server.runs().events().readAfter(runId, 0, 10_000).stream()
                .noneMatch(e -> e.getMessage().startsWith(prefix))) {
            assertTrue(System.nanoTime() < deadline, "no \"" + prefix + "\" event within 60 s");
            Thread.sleep(5);
        }
    }

    /** "step/name" -> value of every metric the run reported, wall-clock rates left out. */
    private static Map<String, Double> metricsOfRunToEnd(RunClient client, String runId) {
        Map<String, Double> metrics = new TreeMap<>();
        for (RunEvent event : client.watch(runId, 0)) {
            if (event.hasMetrics()) {
                event.getMetrics().getValuesMap().forEach((name, value) -> {
                    if (!TIMINGS.contains(name)) {
                        metrics.put(event.getMetrics().getStep() + "/" + name, value);
                    }
                });
            }
        }
        Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
        return metrics;
    }
}
