package dev.jdpo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import dev.jdpo.host.metrics.MetricsEndpoint;
import dev.jdpo.testing.PromTool;
import dev.jdpo.testing.PromTool.Sample;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A host's calls, and the JVM's own metrics, in a scrape of /metrics that promtool accepts. */
class MetricsEndpointTest {

    private static final Map<String, String> MEASURE_OK = Map.of("grpc_type", "unary",
            "grpc_service", ProbeService.NAME, "grpc_method", "Measure", "grpc_code", "OK");

    @Test
    void aScrapeCountsTheHostsCallsAndCarriesJvmAndProcessMetrics() throws Exception {
        PromTool promtool = PromTool.locate(System.getenv("CI")).orElse(null);
        assumeTrue(promtool != null, "promtool (Debian package prometheus) is not installed");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (ServiceHost host = ServiceHost.start(HostSettings.on("127.0.0.1", 0), new ProbeService(timer));
             MetricsEndpoint metrics = MetricsEndpoint.start(0)) {
            double before = value(PromTool.samples(scrape(metrics)), "grpc_server_handled_total", MEASURE_OK);
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", host.port()).usePlaintext().build();
            try {
                for (int i = 0; i < 3; i++) {
                    ClientCalls.blockingUnaryCall(channel, ProbeService.MEASURE, CallOptions.DEFAULT,
                            BytesValue.of(ByteString.copyFrom(new byte[i])));
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            String text = scrape(metrics);
            promtool.check(text);
            List<Sample> samples = PromTool.samples(text);
            assertEquals(before + 3, value(samples, "grpc_server_handled_total", MEASURE_OK));
            Map<String, String> call = Map.of("grpc_type", "unary", "grpc_service", ProbeService.NAME,
                    "grpc_method", "Measure");
            assertTrue(value(samples, "grpc_server_handling_seconds_count", call) >= 3, text);
            assertTrue(value(samples, "jvm_memory_used_bytes", Map.of("area", "heap")) > 0, text);
            assertTrue(value(samples, "process_cpu_seconds_total", Map.of()) > 0, text);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aTakenPortIsReportedByNumber() {
        try (MetricsEndpoint first = MetricsEndpoint.start(0)) {
            UncheckedIOException taken = assertThrows(UncheckedIOException.class,
                    () -> MetricsEndpoint.start(first.port()).close());
            assertTrue(taken.getMessage().contains("port " + first.port()), taken.getMessage());
        }
    }

    private static String scrape(MetricsEndpoint metrics) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** The sum over the samples of {@code name} whose labels include {@code labels}; 0 when there are none. */
    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }
}
