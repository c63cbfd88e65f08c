package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ServiceProcess;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.ServicesConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline across process boundaries: the same run embedded and with the tokenizer, reference, trainer and
 * orchestrator each in its own JVM on loopback reports the same metrics; a service that is down fails the run
 * cleanly, naming it.
 */
class SeparateProcessesTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    // wall-clock rates differ between any two runs
    private static final Set<String> TIMINGS = Set.of("tokens_per_second", "pairs_per_second", "eval_runtime",
            "eval_samples_per_second", "eval_steps_per_second");

    @TempDir
    Path tmp;

    static RunConfig quickstartRun(Path outputDir) {
        RunConfig config = PipelineEndToEndTest.config(REPO.resolve("examples/data/quickstart.jsonl"), outputDir, 4);
        return config.toBuilder().setOutput(config.getOutput().toBuilder().setEvalInterval(2)).build();
    }

    @Test
    void runAcrossSeparateJvmsReportsTheSameMetricsAsTheEmbeddedRun() throws Exception {
        Map<String, Double> embedded;
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            embedded = metricsOfRunToEnd(client, quickstartRun(tmp.resolve("embedded")));
        }
        int tokenizerPort = TestWorkspace.freePort();
        int referencePort = TestWorkspace.freePort();
        int trainerPort = TestWorkspace.freePort();
        int orchestratorPort = TestWorkspace.freePort();
        try (ServiceProcess tokenizer = ServiceProcess.start(tmp.resolve("tokenizer.log"),
                     "jdpo tokenizer listening on 127.0.0.1:" + tokenizerPort, "tokenizer", "--port",
                     String.valueOf(tokenizerPort), "--read-root", REPO.resolve("examples").toString());
             ServiceProcess reference = ServiceProcess.start(tmp.resolve("reference.log"),
                     "jdpo reference listening on 127.0.0.1:" + referencePort, "reference", "--port",
                     String.valueOf(referencePort), "--model", REPO.resolve("examples/tiny-llama-ref").toString());
             ServiceProcess trainer = ServiceProcess.start(tmp.resolve("trainer.log"),
                     "jdpo trainer listening on 127.0.0.1:" + trainerPort, "trainer", "--port",
                     String.valueOf(trainerPort), "--read-root", REPO.resolve("examples").toString(), "--write-root",
                     tmp.toString());
             ServiceProcess orchestrator = ServiceProcess.start(tmp.resolve("orchestrator.log"),
                     "jdpo orchestrator listening on 127.0.0.1:" + orchestratorPort, "orchestrator", "--port",
                     String.valueOf(orchestratorPort), "--state-dir", tmp.resolve("state-remote").toString(),
                     "--allowed-root", tmp.toString(), "--allowed-root", REPO.resolve("examples").toString());
             RunClient client = new RunClient(orchestratorPort)) {
            RunConfig remote = quickstartRun(tmp.resolve("remote")).toBuilder()
                    .setServices(ServicesConfig.newBuilder().setTokenizerAddress("127.0.0.1:" + tokenizerPort)
                            .addReferenceAddresses("127.0.0.1:" + referencePort)
                            .setTrainerAddress("127.0.0.1:" + trainerPort))
                    .build();
            Map<String, Double> separate = metricsOfRunToEnd(client, remote);
            assertEquals(embedded.keySet(), separate.keySet());
            assertTrue(embedded.keySet().containsAll(Set.of("1/loss", "4/loss", "2/eval_loss", "4/eval_loss")),
                    embedded.keySet().toString());
            for (String key : embedded.keySet()) {
                assertEquals(embedded.get(key), separate.get(key), 1e-5, key);
            }
            // the trainer pulls the pairs over HTTP/2 flow control; a window of 5 makes the scorer wait for it
            RunConfig streaming = remote.toBuilder()
                    .setOutput(remote.getOutput().toBuilder().setOutputDir(tmp.resolve("remote-streaming").toString()))
                    .setReference(ReferenceConfig.newBuilder().setMode(ReferenceMode.REFERENCE_MODE_STREAMING)
                            .setWindowPairs(5))
                    .build();
            assertEquals(separate, metricsOfRunToEnd(client, streaming), "streamed over the four JVMs");
        }
    }

    @Test
    void trainerThatIsDownFailsTheRunNamingItsAddressAfterTheRetries() throws Exception {
        String address = "127.0.0.1:" + TestWorkspace.freePort();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            RunConfig config = quickstartRun(tmp.resolve("out")).toBuilder()
                    .setServices(ServicesConfig.newBuilder().setTrainerAddress(address).setUnavailableRetries(2)
                            .setRetryBackoffMs(10))
                    .build();
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            client.watch(run.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_FAILED, done.getStatus());
            assertEquals("service_unavailable", done.getError().getCode());
            assertTrue(done.getError().getMessage().startsWith("the trainer service at " + address
                    + " is unavailable after 3 attempt(s)"), done.getError().getMessage());
        }
    }

    @Test
    void trainerThatDiesMidRunAndStaysDownFailsTheRunAfterTheRetriesAndKeepsItsCheckpoints() throws Exception {
        int trainerPort = TestWorkspace.freePort();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port());
             ServiceProcess trainer = ServiceProcess.start(tmp.resolve("trainer.log"),
                     "jdpo trainer listening on 127.0.0.1:" + trainerPort, "trainer", "--port",
                     String.valueOf(trainerPort), "--read-root", REPO.resolve("examples").toString(), "--write-root",
                     tmp.toString())) {
            RunConfig config = PipelineEndToEndTest.config(REPO.resolve("examples/data/quickstart.jsonl"),
                    tmp.resolve("out"), 5000);
            config = config.toBuilder()
                    .setServices(ServicesConfig.newBuilder().setTrainerAddress("127.0.0.1:" + trainerPort)
                            .setUnavailableRetries(1).setRetryBackoffMs(10))
                    .build();
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (listCheckpoints(client, run.getId()).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no checkpoint within 2 minutes");
                Thread.sleep(10);
            }
            trainer.kill();
            client.watch(run.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_FAILED, done.getStatus());
            assertEquals("service_unavailable", done.getError().getCode());
            assertTrue(done.getError().getMessage().startsWith("the trainer service at 127.0.0.1:" + trainerPort),
                    done.getError().getMessage());
            List<Checkpoint> kept = listCheckpoints(client, run.getId());
            assertFalse(kept.isEmpty(), "the checkpoints written before the crash stay listed");
            for (Checkpoint checkpoint : kept) {
                assertTrue(Files.isRegularFile(Path.of(checkpoint.getPath()).resolve("trainer_state.json")),
                        checkpoint.getPath());
            }
        }
    }

    private static List<Checkpoint> listCheckpoints(RunClient client, String runId) {
        return client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(runId).build())
                .getCheckpointsList();
    }

    @Test
    void tokenizerThatIsDownFailsTheRunNamingItsAddressAfterTheRetries() throws Exception {
        String address = "127.0.0.1:" + TestWorkspace.freePort();
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            RunConfig config = quickstartRun(tmp.resolve("out")).toBuilder()
                    .setServices(ServicesConfig.newBuilder().setTokenizerAddress(address).setUnavailableRetries(1)
                            .setRetryBackoffMs(10))
                    .build();
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            client.watch(run.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_FAILED, done.getStatus());
            assertEquals("service_unavailable", done.getError().getCode());
            assertEquals("services.tokenizer_address", done.getError().getParam());
            assertTrue(done.getError().getMessage().startsWith("the tokenizer service at " + address
                    + " is unavailable after 2 attempt(s)"), done.getError().getMessage());
        }
    }

    /** The metrics of a run created from {@code config} and watched to its successful end (see {@link #metrics}). */
    static Map<String, Double> metricsOfRunToEnd(RunClient client, RunConfig config) {
        Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
        Map<String, Double> metrics = metrics(client.watch(run.getId(), 0));
        Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
        return metrics;
    }

    /**
     * "step/name" -> the last value of every metric among the events (a step trained again after a resume reports
     * again), wall-clock rates and the reference scorer's own counters (which say where scoring ran, not what
     * training computed) left out.
     */
    static Map<String, Double> metrics(List<RunEvent> events) {
        Map<String, Double> metrics = new TreeMap<>();
        for (RunEvent event : events) {
            if (event.hasMetrics()) {
                event.getMetrics().getValuesMap().forEach((name, value) -> {
                    if (!TIMINGS.contains(name) && !name.startsWith("reference/")) {
                        metrics.put(event.getMetrics().getStep() + "/" + name, value);
                    }
                });
            }
        }
        return metrics;
    }
}
