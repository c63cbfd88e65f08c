package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ReferenceConfig;
import dev.jdpo.proto.v1.ReferenceMode;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** reference.mode streaming trains on the same pairs in the same order as precompute, so every number matches. */
class StreamingModeTest {

    private static final Pattern SCORED = Pattern.compile(
            "Reference log-probs: (\\d+) pairs scored while training \\((\\d+) from the cache\\)");

    @TempDir
    Path tmp;

    /** 9 training pairs at 2 a step: step 5 ends the first epoch, so the stream crosses into the second shuffle. */
    private RunConfig run(String name, ReferenceMode mode, int window) throws Exception {
        Path train = tmp.resolve("train.jsonl");
        if (!Files.exists(train)) {
            PipelineEndToEndTest.writePairs(train, 12);
        }
        return PipelineEndToEndTest.config(train, tmp.resolve(name), 8).toBuilder()
                .setReference(ReferenceConfig.newBuilder().setMode(mode).setWindowPairs(window)).build();
    }

    @Test
    void streamingReportsThePrecomputedRunsMetricsBitForBitAndRemovesItsStore() throws Exception {
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            Map<String, Double> precomputed = SeparateProcessesTest.metricsOfRunToEnd(client,
                    run("precompute", ReferenceMode.REFERENCE_MODE_PRECOMPUTE, 0));
            Run streamed = client.stub().createRun(CreateRunRequest.newBuilder()
                    .setConfig(run("streaming", ReferenceMode.REFERENCE_MODE_STREAMING, 3)).build());
            List<RunEvent> events = client.watch(streamed.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(streamed.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
            assertEquals(8, done.getStep());

            assertTrue(precomputed.containsKey("8/loss") && precomputed.containsKey("8/eval_loss"),
                    precomputed.keySet().toString());
            assertEquals(precomputed, SeparateProcessesTest.metrics(events));
            assertTrue(events.stream().anyMatch(e -> e.getMessage().startsWith("Training 9 pairs for 8 steps")),
                    events.toString());
            // the precompute run cached every pair, so every pair the streamed run scored came from the cache
            Matcher scored = events.stream().map(e -> SCORED.matcher(e.getMessage())).filter(Matcher::matches)
                    .findFirst().orElseThrow(() -> new AssertionError("no scoring summary in " + events));
            int count = Integer.parseInt(scored.group(1));
            // the validation pairs and what 8 steps take: 4 of 2, the first epoch's last pair, 3 of 2; scoring
            // stops there (the trainer's started says how many), and stays within the window of 3 of what the
            // trainer took before (StreamingWindowOverNettyTest)
            assertEquals(3 + 15, count, scored.group());
            assertEquals(scored.group(1), scored.group(2), scored.group());
            assertFalse(Files.exists(tmp.resolve("state/run-data").resolve(streamed.getId())),
                    "a completed run's stored pairs are removed");
        }
    }

    /**
     * 30 pairs, none held out, over a shuffle window of 8: both modes visit the buffered shuffle, the streaming run
     * training from a store its tokenizer is still writing, and report the same numbers into the second epoch.
     */
    @Test
    void aboveTheShuffleWindowBothModesGiveTheSameNumbers() throws Exception {
        Path train = PipelineEndToEndTest.writePairs(tmp.resolve("train-30.jsonl"), 30);
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            Map<String, Double> precomputed = SeparateProcessesTest.metricsOfRunToEnd(client,
                    aboveWindow(train, "above-precompute", ReferenceMode.REFERENCE_MODE_PRECOMPUTE));
            Run streamed = client.stub().createRun(CreateRunRequest.newBuilder()
                    .setConfig(aboveWindow(train, "above-streaming", ReferenceMode.REFERENCE_MODE_STREAMING)).build());
            List<RunEvent> events = client.watch(streamed.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(streamed.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage());
            assertTrue(events.stream().anyMatch(e -> e.getMessage().contains("30 rows, more than "
                    + "data.shuffle_window (8)")), events.toString());
            assertTrue(precomputed.containsKey("17/loss"), precomputed.keySet().toString());
            assertEquals(precomputed, SeparateProcessesTest.metrics(events));
        }
    }

    /** 15 steps of 2 make an epoch; 17 steps cross into the second. */
    private RunConfig aboveWindow(Path train, String name, ReferenceMode mode) {
        RunConfig config = PipelineEndToEndTest.config(train, tmp.resolve(name), 17);
        return config.toBuilder()
                .setData(config.getData().toBuilder().setValidationSplit(0).setShuffleWindow(8))
                .setTraining(config.getTraining().toBuilder().setEpochs(2))
                .setReference(ReferenceConfig.newBuilder().setMode(mode).setWindowPairs(3)).build();
    }

    @Test
    void perTokenReferenceLogProbsStreamToo() throws Exception {
        try (OrchestratorServer server = PipelineEndToEndTest.start(tmp);
             RunClient client = new RunClient(server.port())) {
            RunConfig precompute = withLdAlpha(run("ld-precompute", ReferenceMode.REFERENCE_MODE_PRECOMPUTE, 0));
            RunConfig streaming = withLdAlpha(run("ld-streaming", ReferenceMode.REFERENCE_MODE_STREAMING, 1));
            assertEquals(SeparateProcessesTest.metricsOfRunToEnd(client, precompute),
                    SeparateProcessesTest.metricsOfRunToEnd(client, streaming));
        }
    }

    private static RunConfig withLdAlpha(RunConfig config) {
        return config.toBuilder().setTraining(config.getTraining().toBuilder().setLdAlpha(0.5)).build();
    }
}
