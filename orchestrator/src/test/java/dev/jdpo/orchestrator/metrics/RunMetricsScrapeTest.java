package dev.jdpo.orchestrator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdpo.host.metrics.MetricsEndpoint;
import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CancelRunRequest;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.testing.PromTool;
import dev.jdpo.testing.PromTool.Sample;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A served orchestrator's /metrics, scraped while a run trains: every scrape passes promtool, the run's step and
 * loss gauges move with its metrics events, and the RunService calls are counted by method and status code.
 */
class RunMetricsScrapeTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aScrapeDuringARunShowsItsStepAndLossMovingAndTheCallsByStatus(@TempDir Path tmp) throws Exception {
        PromTool promtool = PromTool.locate(System.getenv("CI")).orElse(null);
        assumeTrue(promtool != null, "promtool (Debian package prometheus) is not installed");
        TestWorkspace workspace = new TestWorkspace(tmp);
        // 400 steps of 250 ms: far longer than scraping three steps takes, even when each promtool start is slow;
        // the run is cancelled once they are seen
        try (OrchestratorServer server = workspace.start(new ScriptedRunExecutor(400, 250, 0));
             MetricsEndpoint metrics = MetricsEndpoint.start(0);
             RunClient client = new RunClient(server.port())) {
            List<Sample> before = scrape(metrics, promtool);
            RunConfig invalid = workspace.config("bad").toBuilder().setTraining(
                    workspace.config("bad").getTraining().toBuilder().setBatchSize(-1)).build();
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
                    client.stub().createRun(CreateRunRequest.newBuilder().setConfig(invalid).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(workspace.config("scraped"))
                    .build());

            // step -> loss as scraped, while the run is still running
            Map<Double, Double> seen = new TreeMap<>();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                List<Sample> samples = scrape(metrics, promtool);
                OptionalDouble step = value(samples, "jdpo_run_step", Map.of("run_id", run.getId()));
                OptionalDouble loss = value(samples, "jdpo_run_loss", Map.of("run_id", run.getId()));
                if (step.isPresent() && loss.isPresent()
                        && value(samples, "jdpo_runs", Map.of("status", "running")).orElse(0) >= 1) {
                    seen.put(step.getAsDouble(), loss.getAsDouble());
                    assertEquals(400, value(samples, "jdpo_run_total_steps", Map.of("run_id", run.getId()))
                            .orElseThrow());
                }
                Thread.sleep(100);
            }
            assertTrue(seen.size() >= 3, "scraped steps while running: " + seen);
            // the scripted loss is 1/step, so each scraped pair is one report's, and they differ from step to step
            seen.forEach((step, loss) -> assertEquals(1 / step, loss, 1e-12, "loss at step " + step));

            client.stub().cancelRun(CancelRunRequest.newBuilder().setRunId(run.getId()).build());
            List<Sample> after = scrape(metrics, promtool);
            assertEquals(1, delta(before, after, "grpc_server_handled_total", createRun("INVALID_ARGUMENT")));
            assertEquals(1, delta(before, after, "grpc_server_handled_total", createRun("OK")));
            assertEquals(1, delta(before, after, "grpc_server_handled_total", Map.of("grpc_method", "CancelRun",
                    "grpc_code", "OK")));
            assertEquals(2, delta(before, after, "grpc_server_handling_seconds_count", Map.of("grpc_service",
                    "jdpo.v1.RunService", "grpc_method", "CreateRun")));
            assertEquals(1, value(after, "jdpo_runs", Map.of("status", "cancelled")).orElseThrow());
            assertEquals(0, value(after, "jdpo_queue_depth", Map.of()).orElseThrow());
        }
    }

    private static Map<String, String> createRun(String code) {
        return Map.of("grpc_type", "unary", "grpc_service", "jdpo.v1.RunService", "grpc_method", "CreateRun",
                "grpc_code", code);
    }

    /** One scrape, checked by promtool first. */
    private static List<Sample> scrape(MetricsEndpoint metrics, PromTool promtool) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        promtool.check(response.body());
        return PromTool.samples(response.body());
    }

    /** The sum over the samples of {@code name} whose labels include {@code labels}; empty when there are none. */
    private static OptionalDouble value(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> matching = samples.stream().filter(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        return matching.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(matching.stream().mapToDouble(Sample::value).sum());
    }

    private static double delta(List<Sample> before, List<Sample> after, String name, Map<String, String> labels) {
        return value(after, name, labels).orElse(0) - value(before, name, labels).orElse(0);
    }
}
