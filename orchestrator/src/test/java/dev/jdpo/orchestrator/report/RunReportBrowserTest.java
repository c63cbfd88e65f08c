package dev.jdpo.orchestrator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.testing.ExternalProcess;
import dev.jdpo.orchestrator.testing.Prerequisites;
import dev.jdpo.proto.v1.CriterionVerdict;
import dev.jdpo.proto.v1.EvalSample;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.ResolvedHyperparameters;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunStatus;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run report as a browser shows it: Debian's headless Chromium opens the page, dumps its DOM and screenshots it. */
class RunReportBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern FIGURE = Pattern.compile("<figure data-metric=\"([^\"]+)\">(.*?)</figure>",
            Pattern.DOTALL);

    @Test
    void thePageHasTheBeforeAfterTableChartsSamplesDataAndConfig() {
        String html = new RunReport(run(), events()).html();
        assertTrue(html.contains("<td class=\"violation-before\">60.0%</td><td class=\"violation-after\">5.0%</td>"),
                "within_limit: 40% -> 95% passing is 60% -> 5% violating");
        assertTrue(html.contains("<td>-91.7%</td>"), "the relative change in violations");
        assertEquals(Map.of("loss", 10, "rewards/accuracies", 10, "rewards/margins", 10, "learning_rate", 10,
                "eval_loss", 2, "criteria pass rates", 6), points(html));
        assertTrue(html.contains("<th>training pairs</th><td>40</td>"));
        assertTrue(html.contains("<th>cache_hits</th><td>30</td>"));
        assertTrue(html.contains("&lt;b&gt;B&lt;/b&gt;"), "answers are escaped, not markup");
        assertTrue(html.contains("&quot;training_file&quot;: &quot;data/train.jsonl&quot;"), "the config as JSON");
        assertFalse(html.replace("http://www.w3.org/2000/svg", "").matches("(?s).*(https?:|src=|<script).*"),
                "nothing to fetch, nothing to run");
    }

    @Test
    void chromiumRendersTheChartsWithTheirPointsAndShowsTheRates(@TempDir Path tmp) throws Exception {
        Prerequisites.require(Files.isExecutable(CHROMIUM), CHROMIUM + " not found; install the Debian package "
                + "chromium");
        Path page = RunReportFile.write(new RunReport(run(), events()), tmp.resolve("report.html"));
        Path png = tmp.resolve("report.png");
        String dom = chromium(tmp, "--dump-dom", page);
        chromium(tmp, "--screenshot=" + png, page);

        assertEquals(Map.of("loss", 10, "rewards/accuracies", 10, "rewards/margins", 10, "learning_rate", 10,
                "eval_loss", 2, "criteria pass rates", 6), points(dom), "every chart rendered with its points");
        Matcher row = Pattern.compile("<tr data-criterion=\"within_limit\">(.*?)</tr>", Pattern.DOTALL).matcher(dom);
        assertTrue(row.find(), "the before/after row is on the page");
        assertTrue(row.group(1).contains("60.0%") && row.group(1).contains("5.0%"), row.group(1));

        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image.getWidth() >= 1000, "the screenshot has the window's width");
        assertTrue(pixels(image, 0x1f77b4) > 500, "the first series' colour is drawn");
        assertTrue(pixels(image, 0xd62728) > 50, "the second criterion's line is drawn");
    }

    private static String chromium(Path tmp, String action, Path page) throws Exception {
        // a profile of its own, so parallel runs never share Chromium's profile lock
        List<String> command = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--user-data-dir=" + tmp.resolve("profile"),
                "--window-size=1200,2400", action, page.toUri().toString());
        ExternalProcess.Result result = ExternalProcess.run(command, Map.of(), tmp, 120);
        assertEquals(0, result.exit(), result.output());
        // the DOM, with Chromium's own log lines around it
        return result.output();
    }

    /** Points drawn per chart, by its metric. */
    private static Map<String, Integer> points(String html) {
        Map<String, Integer> points = new LinkedHashMap<>();
        Matcher figure = FIGURE.matcher(html);
        while (figure.find()) {
            points.put(figure.group(1), figure.group(2).split("<circle class=\"pt\"", -1).length - 1);
        }
        return points;
    }

    private static long pixels(BufferedImage image, int rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                count += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return count;
    }

    private static Run run() {
        return Run.newBuilder().setId("run-report0000000000000000").setName("report test")
                .setStatus(RunStatus.RUN_STATUS_SUCCEEDED).setStep(10).setTotalSteps(10).setLastSequence(100)
                .setConfig(RunConfig.newBuilder().setData(dev.jdpo.proto.v1.DataConfig.newBuilder()
                        .setTrainingFile("data/train.jsonl")))
                .build();
    }

    private static List<RunEvent> events() {
        List<RunEvent> events = new ArrayList<>();
        events.add(RunEvent.newBuilder().setSequence(1).setHyperparameters(ResolvedHyperparameters.newBuilder()
                .setTrainingPairs(40).setValidationPairs(8).setTotalSteps(10)).build());
        events.add(metrics(0, Map.of("reference/cache_hits", 30.0, "reference/cache_misses", 10.0,
                "eval_criteria/within_limit", 0.4, "eval_criteria/right_letter", 0.5)));
        for (int step = 1; step <= 10; step++) {
            events.add(metrics(step, Map.of("loss", 0.7 - 0.05 * step, "rewards/accuracies", 0.05 * step + 0.4,
                    "rewards/margins", 0.1 * step, "learning_rate", 1e-4 * (11 - step) / 10)));
        }
        events.add(metrics(5, Map.of("eval_loss", 0.6, "eval_runtime", 1.5, "eval_criteria/within_limit", 0.7,
                "eval_criteria/right_letter", 0.6)));
        events.add(metrics(10, Map.of("eval_loss", 0.4, "eval_runtime", 1.4, "eval_criteria/within_limit", 0.95,
                "eval_criteria/right_letter", 0.8)));
        events.add(samples(0, "<b>B</b> because the question is long", false));
        events.add(samples(10, "B", true));
        return events;
    }

    private static RunEvent metrics(long step, Map<String, Double> values) {
        return RunEvent.newBuilder().setMetrics(MetricsReport.newBuilder().setStep(step).setTotalSteps(10)
                .putAllValues(values)).build();
    }

    private static RunEvent samples(long step, String answer, boolean pass) {
        return RunEvent.newBuilder().setEvalSamples(EvalSamples.newBuilder().setStep(step)
                .addSamples(EvalSample.newBuilder().setPrompt("Which letter? Answer in at most 1 word.")
                        .setAnswer(answer).addVerdicts(CriterionVerdict.newBuilder().setCriterion("within_limit")
                                .setPass(pass).setScore(pass ? 1 : 0.2).setReason(pass ? "" : "6 words > 1")))).build();
    }
}
