package dev.jdpo.orchestrator.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.config.HyperparameterResolver;
import dev.jdpo.orchestrator.config.RunConfigDefaults;
import dev.jdpo.orchestrator.run.DataSummary;
import dev.jdpo.orchestrator.run.RunOutcome;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.orchestrator.run.RunStart;
import dev.jdpo.orchestrator.testing.RecordingReporter;
import dev.jdpo.proto.v1.Checkpoint;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.SftWarmup;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with {@code training.sft_warmup} restarted in its DPO stage counts steps once: the run's step of a DPO
 * checkpoint already includes the SFT steps, so the stage resumes at the checkpoint's own step and the run's step
 * adds the SFT steps to that, not to the run's step again.
 */
class SftWarmupResumeTest {

    private static final long SFT_STEPS = 2;

    @TempDir
    Path tmp;

    @Test
    void aRestartStoppedBeforeTheDpoStagesFirstStepReportsTheRunsStepOnce(@TempDir Path cache) throws Exception {
        Path data = PipelineEndToEndTest.writePairs(tmp.resolve("pairs.jsonl"), 8);
        RunConfig config = PipelineEndToEndTest.config(data, tmp.resolve("out"), 3);
        config = new RunConfigDefaults().apply(config.toBuilder().setTraining(config.getTraining().toBuilder()
                .setSftWarmup(SftWarmup.newBuilder().setSteps(SFT_STEPS))).setOutput(config.getOutput().toBuilder()
                .setCheckpointInterval(1).setEvalInterval(0)).build());
        Path out = Path.of(config.getOutput().getOutputDir());
        try (PipelineRunExecutor executor = new PipelineRunExecutor(cache, cache.resolve("run-data"), null)) {
            RecordingReporter first = new RecordingReporter();
            DataSummary summary = executor.validateFiles(config, first).orElseThrow();
            RunStart start = new RunStart("warm", config, new HyperparameterResolver().resolve(config,
                    summary.trainingPairs(), summary.validationPairs()), Optional.empty());
            assertInstanceOf(RunOutcome.Completed.class, executor.execute(start, first));
            assertEquals(Map.of(1L, out.resolve("sft/checkpoint-1"), 2L, out.resolve("sft/checkpoint-2"),
                    3L, out.resolve("checkpoint-1"), 4L, out.resolve("checkpoint-2"), 5L, out.resolve("checkpoint-3")),
                    first.checkpoints, "one increasing step over both stages");

            // a restart whose last registered checkpoint is the DPO stage's second (run step 4); the trainer had
            // finished its third (run step 5) unheard; the run stops while the DPO stage prepares
            RecordingReporter restarted = new RecordingReporter();
            RunOutcome outcome = executor.execute(new RunStart("warm", config, start.hyperparameters(),
                    Optional.of(Checkpoint.newBuilder().setStep(4).setPath(out.resolve("checkpoint-2").toString())
                            .build())), stopAtStage2(restarted));
            assertEquals(new RunOutcome.Stopped(SFT_STEPS + 3), outcome, restarted.messages.toString());
            assertEquals(Map.of(5L, out.resolve("checkpoint-3")), restarted.checkpoints,
                    "the unheard checkpoint is registered at its run step");
            assertTrue(restarted.messages.stream().noneMatch(m -> m.startsWith("sft stage")),
                    "the SFT stage is done: " + restarted.messages);
        }
    }

    /** {@code recording}, asking to stop once the DPO stage begins. */
    private static RunReporter stopAtStage2(RecordingReporter recording) {
        return new RunReporter() {
            @Override
            public void info(String message) {
                recording.info(message);
                if (message.startsWith("Stage 2 of 2")) {
                    recording.stop.set(true);
                }
            }

            @Override
            public void warn(String message) {
                recording.warn(message);
            }

            @Override
            public void metrics(long step, long totalSteps, double epoch, Map<String, Double> values) {
                recording.metrics(step, totalSteps, epoch, values);
            }

            @Override
            public void evalSamples(EvalSamples samples) {
                recording.evalSamples(samples);
            }

            @Override
            public void checkpoint(long step, Path dir, Map<String, Double> metrics) {
                recording.checkpoint(step, dir, metrics);
            }

            @Override
            public boolean stopRequested() {
                return recording.stopRequested();
            }
        };
    }
}
