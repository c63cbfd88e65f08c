package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.RunEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdpo run} (the alias of train): an embedded run of the real pipeline, and the progress bar it draws. */
class RunCommandTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @TempDir
    Path tmp;

    @Test
    void embeddedRunTrainsTheTinyModelAndReportsSuccess() throws Exception {
        Path config = tmp.resolve("run.yaml");
        Files.writeString(config, "name: embedded\n"
                + "model: {policy: " + REPO.resolve("examples/tiny-llama") + ", device: cpu}\n"
                + "data: {training_file: " + REPO.resolve("examples/data/trl-standard.jsonl") + "}\n"
                + "training: {batch_size: 2, max_steps: 3, learning_rate: 1e-4, loss_types: [sigmoid]}\n"
                + "output: {output_dir: " + tmp.resolve("out") + ", log_interval: 1}\n");
        RunCommandsTest.Result result = RunCommandsTest.jdpo("run", "--config", config.toString(),
                "--state-dir", tmp.resolve("state").toString());
        assertEquals(0, result.exit(), result.err() + result.out());
        assertTrue(result.out().contains("step 3/3"), result.out());
        assertTrue(result.out().contains("Run succeeded; aligned model in " + tmp.resolve("out/final")), result.out());
        // the summary ends the output: wall time, the last training metrics, where the model is
        String[] summary = result.out().strip().split("\n");
        assertTrue(summary[summary.length - 3].matches("summary: run run-[a-z2-7]{20} succeeded in [0-9.]+s, "
                + "step 3/3"), result.out());
        assertTrue(summary[summary.length - 2].matches("  train \\(step 3\\): loss=[0-9.]+ rewards/accuracies=[0-9.]+ "
                + "rewards/margins=-?[0-9.]+ grad_norm=[0-9.]+"), result.out());
        assertEquals("  model: " + tmp.resolve("out/final"), summary[summary.length - 1], result.out());
        assertTrue(Files.isRegularFile(tmp.resolve("out/final/config.json")));
    }

    @Test
    void progressBarShowsStepLossAccuracyThroughputAndTimeLeft() {
        ProgressView view = new ProgressView(new PrintWriter(new StringWriter()), true);
        view.bar(report(1, 0.69));
        String bar = view.bar(report(5, 0.5));
        assertTrue(bar.startsWith("[##########..............] step 5/12  41% | loss 0.5000 | acc 0.75 | 900 tok/s"
                + " | ETA "), bar);
    }

    @Test
    void onATerminalTrainingStepsRedrawTheBarAndEvalReportsPrintALine() {
        StringWriter out = new StringWriter();
        ProgressView view = new ProgressView(new PrintWriter(out), true);
        view.show(RunEvent.newBuilder().setMetrics(report(1, 0.69)).build());
        assertTrue(out.toString().startsWith("\r[#"), out.toString());
        view.show(RunEvent.newBuilder().setMetrics(MetricsReport.newBuilder().setStep(1).setTotalSteps(12)
                .putValues("eval_loss", 0.71)).build());
        String text = out.toString();
        assertTrue(text.contains("\n") && text.contains("eval_loss=0.7100"), text);
        assertEquals(1, text.split("\r", -1).length - 1, "the eval report did not redraw the bar: " + text);
    }

    private static MetricsReport report(long step, double loss) {
        return MetricsReport.newBuilder().setStep(step).setTotalSteps(12).putValues("loss", loss)
                .putValues("rewards/accuracies", 0.75).putValues("tokens_per_second", 900).build();
    }
}
