package dev.jdpo.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.Precision;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.config.LossScaling;
import dev.jdpo.trainer.config.SchedulerType;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.engine.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An FP16 run stopped after overflowed (skipped) steps and resumed follows the uninterrupted run: the checkpoint
 * keeps the loss scaler (scale, good-step count, skips) and AdamW resumes at its own step count, not the global one.
 */
class MixedPrecisionResumeTest {

    private static final LoadOptions FP16 = new LoadOptions(Device.cpu(), Precision.FP16, true);

    @Test
    void resumedFp16RunFollowsTheUninterruptedOne(@TempDir Path tmp) throws Exception {
        List<TrainingPair> pairs = Fixtures.withReference(Fixtures.syntheticPairs(4, 9), false);
        // 2^40 and 2^30 overflow FP16 in backward, so the first steps are skipped; then the scale grows every 2 steps
        TrainingConfig config = TrainingConfig.builder().learningRate(1e-3).scheduler(SchedulerType.CONSTANT)
                .batchSize(4).maxSteps(8).saveSteps(4).loggingSteps(1)
                .lossScaling(new LossScaling(Math.pow(2, 40), 2.0, Math.pow(2, -10), 2)).build();
        TrainingRun.Output straightOut = new TrainingRun.Output(tmp.resolve("straight"), SaveOptions.defaults());
        TrainingRun.Output stoppedOut = new TrainingRun.Output(tmp.resolve("stopped"), SaveOptions.defaults());

        List<LoggedMetrics> straight = new ArrayList<>();
        try (CausalLM policy = CausalLM.load(Fixtures.policyDir(), FP16);
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config, straightOut)) {
            run.run(collect(straight, null));
        }
        assertTrue(straight.get(3).values().get("skipped_steps") >= 2, "steps were skipped before the checkpoint");
        assertTrue(straight.get(7).values().get("loss_scale_growths") >= 1, "the scale grew after the checkpoint");

        List<LoggedMetrics> interrupted = new ArrayList<>();
        try (CausalLM policy = CausalLM.load(Fixtures.policyDir(), FP16);
             TrainingRun run = TrainingRun.start(policy, Fixtures.PAD_ID, pairs, config, stoppedOut)) {
            run.run(collect(interrupted, run));
        }
        Path checkpoint = Checkpoints.directory(stoppedOut.outputDir(), 4);
        assertTrue(Files.isRegularFile(checkpoint.resolve(Checkpoints.SCALER_FILE)));
        try (TrainingRun run = TrainingRun.resume(checkpoint, FP16, Fixtures.PAD_ID, pairs, config, stoppedOut)) {
            run.run(collect(interrupted, null));
        }
        assertEquals(straight.size(), interrupted.size());
        for (int i = 0; i < straight.size(); i++) {
            Map<String, Double> expected = straight.get(i).values();
            Map<String, Double> actual = interrupted.get(i).values();
            for (String key : List.of("loss", "grad_norm", "loss_scale", "skipped_steps", "loss_scale_growths")) {
                assertEquals(expected.get(key), actual.get(key), 1e-6 * Math.abs(expected.get(key)),
                        "step " + (i + 1) + " " + key);
            }
        }
    }

    /** Collects every report; with {@code stopAt4}, cancels that run after step 4. */
    private static TrainingListener collect(List<LoggedMetrics> logs, TrainingRun stopAt4) {
        return new TrainingListener() {
            @Override
            public void onStep(StepResult step, int total) {
                if (stopAt4 != null && step.metrics().step() == 4) {
                    stopAt4.cancel();
                }
            }

            @Override
            public void onLog(LoggedMetrics metrics) {
                logs.add(metrics);
            }
        };
    }
}
