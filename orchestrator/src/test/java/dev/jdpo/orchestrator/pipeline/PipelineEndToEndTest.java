package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run through the real engines on the tiny Llama fixture: tokenize, score the reference, train, save. */
class PipelineEndToEndTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @TempDir
    Path tmp;

    static Path writePairs(Path file, int count) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add("{\"prompt\": \"Question " + i + ": what is " + i + " plus one?\", \"chosen\": \" It is "
                    + (i + 1) + ".\", \"rejected\": \" I do not know about " + i + ".\"}");
        }
        return Files.write(file, lines);
    }

    static RunConfig config(Path trainingFile, Path outputDir, long maxSteps) {
        return RunConfig.newBuilder()
                .setName("tiny")
                .setModel(ModelConfig.newBuilder().setPolicy(REPO.resolve("examples/tiny-llama").toString())
                        .setReference(REPO.resolve("examples/tiny-llama-ref").toString()).setDevice("cpu"))
                .setData(DataConfig.newBuilder().setTrainingFile(trainingFile.toString()).setValidationSplit(0.25))
                .setTraining(TrainingConfig.newBuilder().setBatchSize(2).setEpochs(1).setMaxSteps(maxSteps)
                        .setLearningRate(1e-3).setMaxLength(64))
                .setOutput(OutputConfig.newBuilder().setOutputDir(outputDir.toString()).setCheckpointInterval(2)
                        .setLogInterval(1).setEvalInterval(2))
                .build();
    }

    static OrchestratorServer start(Path tmp) throws Exception {
        return OrchestratorServer.start(Map.of(
                "jdpo.state-dir", tmp.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(tmp.toString(), REPO.resolve("examples").toString()),
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", TestWorkspace.freePort()), List.of(), true);
    }

    @Test
    void tinyLlamaRunTrainsAndSavesAnAlignedModel() throws Exception {
        Path train = writePairs(tmp.resolve("train.jsonl"), 12);
        try (OrchestratorServer server = start(tmp); RunClient client = new RunClient(server.port())) {
            Run run = client.stub().createRun(CreateRunRequest.newBuilder()
                    .setConfig(config(train, tmp.resolve("out"), 4)).build());
            List<RunEvent> events = client.watch(run.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), events.toString());
            assertEquals(9, done.getHyperparameters().getTrainingPairs(), "12 pairs, a quarter held out");
            assertEquals(3, done.getHyperparameters().getValidationPairs());
            assertEquals(4, done.getHyperparameters().getTotalSteps());
            assertEquals(4, done.getStep());

            List<RunEvent> metrics = events.stream()
                    .filter(e -> e.hasMetrics() && e.getMetrics().containsValues("loss")).toList();
            assertEquals(4, metrics.size(), "log_interval 1 reports every step");
            List<RunEvent> evals = events.stream()
                    .filter(e -> e.hasMetrics() && e.getMetrics().containsValues("eval_loss")).toList();
            assertEquals(List.of(2L, 4L), evals.stream().map(e -> e.getMetrics().getStep()).toList(),
                    "eval_interval 2 evaluates the 3 held-out pairs at steps 2 and 4");
            for (RunEvent eval : evals) {
                Map<String, Double> values = eval.getMetrics().getValuesMap();
                assertTrue(Double.isFinite(values.get("eval_loss")) && values.get("eval_loss") > 0, values.toString());
                double accuracy = values.get("eval_rewards/accuracies");
                assertTrue(accuracy == 0 || accuracy == 1.0 / 3 || accuracy == 2.0 / 3 || accuracy == 1, values.toString());
                assertEquals(values.get("eval_rewards/chosen") - values.get("eval_rewards/rejected"),
                        values.get("eval_rewards/margins"), 1e-9);
            }
            for (RunEvent event : metrics) {
                double loss = event.getMetrics().getValuesOrThrow("loss");
                assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
                assertTrue(event.getMetrics().containsValues("rewards/accuracies"), event.toString());
            }
            List<Checkpoint> checkpoints = client.stub().listCheckpoints(
                    ListCheckpointsRequest.newBuilder().setRunId(run.getId()).build()).getCheckpointsList();
            assertEquals(List.of(2L, 4L), checkpoints.stream().map(Checkpoint::getStep).toList());
            for (Checkpoint checkpoint : checkpoints) {
                assertTrue(Files.isRegularFile(Path.of(checkpoint.getPath()).resolve("config.json")));
            }
            Path model = Path.of(done.getResultModelDir());
            assertTrue(Files.isRegularFile(model.resolve("config.json")), model.toString());
            assertTrue(Files.isRegularFile(model.resolve("tokenizer.json")), model.toString());
        }
    }

    @Test
    void aSecondRunOverTheSameDataAndReferenceScoresNothingAgain() throws Exception {
        Path train = writePairs(tmp.resolve("train.jsonl"), 12);
        try (OrchestratorServer server = start(tmp); RunClient client = new RunClient(server.port())) {
            Map<String, Double> first = referenceMetrics(client, config(train, tmp.resolve("first"), 1));
            Map<String, Double> second = referenceMetrics(client, config(train, tmp.resolve("second"), 1));

            assertTrue(first.get("reference/forward_passes") > 0, first.toString());
            assertEquals(0.0, first.get("reference/cache_hits"), first.toString());
            assertEquals(12.0, first.get("reference/cache_misses"), "every pair, held-out ones included");
            assertEquals(1.0, first.get("reference/weights_loaded"));

            assertEquals(0.0, second.get("reference/forward_passes"), second.toString());
            assertEquals(12.0, second.get("reference/cache_hits"), second.toString());
            assertEquals(0.0, second.get("reference/cache_misses"), second.toString());
            assertEquals(0.0, second.get("reference/weights_loaded"), "a fully cached run never loads the weights");
            assertEquals(12.0, second.get("reference/cache_entries"), second.toString());
        }
    }

    /** Runs {@code config} to success and returns the reference scorer's counters it reported at step 0. */
    private static Map<String, Double> referenceMetrics(RunClient client, RunConfig config) {
        Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
        List<RunEvent> events = client.watch(run.getId(), 0);
        Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), events.toString());
        return events.stream()
                .filter(e -> e.hasMetrics() && e.getMetrics().containsValues("reference/cache_hits"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no reference metrics in " + events))
                .getMetrics().getValuesMap();
    }

    @Test
    void cancelStopsTrainingAtAStepBoundaryAndListsTheCheckpointItSaved() throws Exception {
        Path train = writePairs(tmp.resolve("train.jsonl"), 12);
        try (OrchestratorServer server = start(tmp); RunClient client = new RunClient(server.port())) {
            RunConfig config = config(train, tmp.resolve("out-cancel"), 500);
            config = config.toBuilder().setOutput(config.getOutput().toBuilder().setCheckpointInterval(1000)).build();
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build()).getStep() < 3) {
                assertTrue(System.nanoTime() < deadline, "training did not reach step 3");
                Thread.sleep(10);
            }
            Run cancelled = client.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_CANCELLED, cancelled.getStatus());
            assertTrue(cancelled.getStep() >= 3 && cancelled.getStep() < 500, "stopped at " + cancelled.getStep());
            List<Checkpoint> checkpoints = client.stub().listCheckpoints(
                    ListCheckpointsRequest.newBuilder().setRunId(run.getId()).build()).getCheckpointsList();
            assertEquals(1, checkpoints.size(), "the only checkpoint is the one saved at the stop");
            assertEquals(cancelled.getStep(), checkpoints.get(0).getStep());
            assertTrue(Files.isRegularFile(Path.of(checkpoints.get(0).getPath()).resolve("trainer_state.json")),
                    "a resumable checkpoint: " + checkpoints.get(0).getPath());
        }
    }

    @Test
    void runsAllowedToTrainTogetherTakeTheOneTrainerInTurn() throws Exception {
        Path train = writePairs(tmp.resolve("train.jsonl"), 12);
        try (OrchestratorServer server = OrchestratorServer.start(Map.of(
                "jdpo.state-dir", tmp.resolve("state").toString(),
                "jdpo.allowed-roots", List.of(tmp.toString(), REPO.resolve("examples").toString()),
                "jdpo.max-concurrent-runs", 2,
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", TestWorkspace.freePort()), List.of(), true);
             RunClient client = new RunClient(server.port())) {
            Run first = client.stub().createRun(CreateRunRequest.newBuilder()
                    .setConfig(config(train, tmp.resolve("out-first"), 40)).build());
            Run second = client.stub().createRun(CreateRunRequest.newBuilder()
                    .setConfig(config(train, tmp.resolve("out-second"), 40)).build());
            List<RunEvent> events = new ArrayList<>(client.watch(first.getId(), 0));
            events.addAll(client.watch(second.getId(), 0));
            for (Run run : List.of(first, second)) {
                Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
                assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
                assertEquals(40, done.getStep());
            }
            assertTrue(events.stream().anyMatch(e -> e.getMessage().startsWith("Waiting for the trainer at in-process")),
                    "one run waited while the other held the trainer");
        }
    }

    @Test
    void badDataFailsValidationWithTheLine() throws Exception {
        Path train = tmp.resolve("bad.jsonl");
        Files.writeString(train, "{\"prompt\": \"Hi?\", \"chosen\": \" Yes.\", \"rejected\": \" No.\"}\n{not json\n");
        try (OrchestratorServer server = start(tmp); RunClient client = new RunClient(server.port())) {
            Run run = client.stub().createRun(CreateRunRequest.newBuilder()
                    .setConfig(config(train, tmp.resolve("out-bad"), 2)).build());
            client.watch(run.getId(), 0);
            Run failed = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_FAILED, failed.getStatus());
            assertEquals("invalid_training_file", failed.getError().getCode());
            assertEquals("data.training_file", failed.getError().getParam());
            assertTrue(failed.getError().getMessage().contains("line 2"), failed.getError().getMessage());
        }
    }

    /** The embedded reference is served in-process; a checkpoint that fails to load still names its field. */
    @Test
    void aReferenceThatFailsToLoadAtItsFirstScoreFailsTheRunNamingTheField() throws Exception {
        Path train = writePairs(tmp.resolve("train.jsonl"), 12);
        Path broken = Files.createDirectories(tmp.resolve("broken-ref"));
        for (String file : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(REPO.resolve("examples/tiny-llama-ref").resolve(file), broken.resolve(file));
        }
        Files.writeString(broken.resolve("model.safetensors"), "not a safetensors file");
        RunConfig config = config(train, tmp.resolve("out-broken"), 2);
        config = config.toBuilder().setModel(config.getModel().toBuilder().setReference(broken.toString())).build();
        try (OrchestratorServer server = start(tmp); RunClient client = new RunClient(server.port())) {
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(config).build());
            client.watch(run.getId(), 0);
            Run failed = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_FAILED, failed.getStatus());
            assertEquals("invalid_model", failed.getError().getCode(), failed.getError().getMessage());
            assertEquals("model.reference", failed.getError().getParam());
            assertTrue(failed.getError().getMessage().contains("cannot load the reference checkpoint " + broken),
                    failed.getError().getMessage());
        }
    }
}
