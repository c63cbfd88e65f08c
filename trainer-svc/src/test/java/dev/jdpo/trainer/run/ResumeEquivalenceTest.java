package dev.jdpo.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.StorageDType;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 20 steps straight equal 10 steps, a stop, a resume from checkpoint-10 and 10 more. The HF weights are saved as
 * BF16, so this also shows the FP32 master weights carry the trajectory; the schedule warms up and decays, the
 * data reshuffles every 6 steps, and the logging window (3 steps) is cut by the stop.
 */
class ResumeEquivalenceTest {

    private static final List<String> TIMING = List.of("tokens_per_second", "pairs_per_second");

    @Test
    void resumedRunFollowsTheUninterruptedTrajectory(@TempDir Path tmp) throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(12, 11), false);
        TrainingConfig config = TrainingConfig.builder().learningRate(2e-3).scheduler(SchedulerType.COSINE)
                .warmupSteps(3).weightDecay(0.01).batchSize(1).gradientAccumulationSteps(2).maxSteps(20)
                .saveSteps(10).loggingSteps(3).maxGradNorm(0.5).build();
        TrainingRun.Output straightOut = new TrainingRun.Output(tmp.resolve("straight"),
                new SaveOptions(StorageDType.BF16, SaveOptions.DEFAULT_MAX_SHARD_BYTES));
        TrainingRun.Output stoppedOut = new TrainingRun.Output(tmp.resolve("stopped"), straightOut.save());

        List<LoggedMetrics> straightLogs = new ArrayList<>();
        Map<String, float[]> straightWeights;
        try (CausalLM policy = Fixtures.trainablePolicy();
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config, straightOut)) {
            RunResult result = run.run(collect(straightLogs));
            assertTrue(result.completed());
            straightWeights = snapshot(policy);
        }

        List<LoggedMetrics> firstHalf = new ArrayList<>();
        try (CausalLM policy = Fixtures.trainablePolicy();
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config, stoppedOut)) {
            RunResult result = run.run(new TrainingListener() {
                @Override
                public void onStep(StepResult step, int total) {
                    if (step.metrics().step() == 10) {
                        run.cancel();
                    }
                }

                @Override
                public void onLog(LoggedMetrics metrics) {
                    firstHalf.add(metrics);
                }
            });
            assertFalse(result.completed());
            assertEquals(10, result.steps());
        }
        Path checkpoint = Checkpoints.directory(stoppedOut.outputDir(), 10);
        assertTrue(Files.isRegularFile(checkpoint.resolve(Checkpoints.MASTER_WEIGHTS_FILE)));

        List<LoggedMetrics> secondHalf = new ArrayList<>();
        try (TrainingRun run = TrainingRun.resume(checkpoint, LoadOptions.trainableCpu(), Fixtures.PAD_ID, pairs,
                config, stoppedOut)) {
            assertEquals(10, run.completedSteps());
            assertTrue(run.run(collect(secondHalf)).completed());
            Map<String, float[]> resumedWeights = snapshot(run.trainer().policy());
            for (Map.Entry<String, float[]> weight : straightWeights.entrySet()) {
                float[] expected = weight.getValue();
                float[] actual = resumedWeights.get(weight.getKey());
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-6, weight.getKey() + "[" + i + "]");
                }
            }
        }

        List<LoggedMetrics> interrupted = new ArrayList<>(firstHalf);
        interrupted.addAll(secondHalf);
        assertEquals(List.of(3, 6, 9, 12, 15, 18, 20), straightLogs.stream().map(LoggedMetrics::step).toList());
        assertEquals(straightLogs.stream().map(LoggedMetrics::step).toList(),
                interrupted.stream().map(LoggedMetrics::step).toList());
        for (int i = 0; i < straightLogs.size(); i++) {
            Map<String, Double> expected = straightLogs.get(i).values();
            Map<String, Double> actual = interrupted.get(i).values();
            assertEquals(expected.keySet(), actual.keySet());
            for (String key : expected.keySet()) {
                if (!TIMING.contains(key)) {
                    assertEquals(expected.get(key), actual.get(key), "step " + straightLogs.get(i).step() + " " + key);
                }
            }
        }
    }

    private static TrainingListener collect(List<LoggedMetrics> logs) {
        return new TrainingListener() {
            @Override
            public void onLog(LoggedMetrics metrics) {
                logs.add(metrics);
            }
        };
    }

    private static Map<String, float[]> snapshot(CausalLM policy) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        policy.parameters().forEach((name, array) -> weights.put(name, array.toFloatArray()));
        return weights;
    }
}
