package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.testing.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a jdpo process prints on stderr, in a JVM of its own (logging is configured once per process): no CUDA
 * probe warnings and no library INFO lines by default, jdpo's debug lines with {@code --log-level debug} or
 * {@code JDPO_LOG_LEVEL=debug}; and {@code --metrics-port} on a stand-alone service.
 */
class ProcessOutputTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String DEBUG_LINE = "DEBUG dev.jdpo.orchestrator.cli.ProcessSetup - jdpo 0.1.0 on Java ";

    private record Output(int exit, String out, List<String> err) {
    }

    @Test
    void trainPrintsOnlyItsOwnLinesOnStderr(@TempDir Path tmp) throws Exception {
        Output train = jdpo(tmp, Map.of(), "train", "--config", REPO.resolve("examples/quickstart.yaml").toString(),
                "--output", tmp.resolve("out").toString(), "--state-dir", tmp.resolve("state").toString(),
                "--max-steps", "2", "--metrics-port", "0");
        assertEquals(0, train.exit(), train.err() + train.out());
        // engine start-up (CUDA probe, platform, PtEngine threads) says nothing; only the metrics address remains
        assertEquals(1, train.err().size(), String.join("\n", train.err()));
        assertTrue(train.err().get(0).matches("jdpo: metrics on http://localhost:[0-9]+/metrics"), train.err().get(0));
        assertTrue(train.out().contains("\nsummary: run "), train.out());
    }

    @Test
    void debugLinesAppearOnlyWhenAsked(@TempDir Path tmp) throws Exception {
        String[] validate = {"validate", "--data", REPO.resolve("examples/data/quickstart.jsonl").toString(),
                "--model", REPO.resolve("examples/tiny-llama").toString()};
        Output quiet = jdpo(tmp, Map.of(), validate);
        assertEquals(0, quiet.exit(), quiet.err() + quiet.out());
        assertEquals(List.of(), quiet.err(), "loading the tokenizer probes for CUDA and finds the platform silently");

        List<String> withOption = new ArrayList<>(List.of("--log-level", "debug"));
        withOption.addAll(List.of(validate));
        Output debug = jdpo(tmp, Map.of(), withOption.toArray(String[]::new));
        assertTrue(debug.err().stream().anyMatch(line -> line.contains(DEBUG_LINE)), String.join("\n", debug.err()));
        assertFalse(debug.err().stream().anyMatch(line -> line.contains("CudaUtils")), String.join("\n", debug.err()));

        Output fromEnv = jdpo(tmp, Map.of("JDPO_LOG_LEVEL", "debug"), validate);
        assertTrue(fromEnv.err().stream().anyMatch(line -> line.contains(DEBUG_LINE)), String.join("\n", fromEnv.err()));

        Output bad = jdpo(tmp, Map.of("JDPO_LOG_LEVEL", "loud"), validate);
        assertEquals(1, bad.exit());
        assertEquals(List.of("jdpo: JDPO_LOG_LEVEL: expected one of error, warn, info, debug, trace, got \"loud\""),
                bad.err());
    }

    @Test
    void aStandAloneServiceServesMetricsOnTheInheritedOption(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("tokenizer.log");
        try (ServiceProcess tokenizer = ServiceProcess.start(log, "jdpo tokenizer listening on ", "tokenizer",
                "--port", "0", "--metrics-port", "0")) {
            Matcher address = Pattern.compile("jdpo: metrics on (http://localhost:[0-9]+/metrics)")
                    .matcher(Files.readString(log));
            assertTrue(address.find(), Files.readString(log));
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(address.group(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.body().contains("\njvm_memory_used_bytes{area=\"heap\"} "), scrape.body());
        }
    }

    /** Runs {@code jdpo args} in a JVM of its own with the test class path, as bin/jdpo would. */
    private static Output jdpo(Path tmp, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Xss4m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                "dev.jdpo.orchestrator.cli.JdpoCli"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("JDPO_LOG_LEVEL");
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("jdpo " + String.join(" ", args) + " did not finish in 300 s");
        }
        return new Output(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readAllLines(err, StandardCharsets.UTF_8));
    }
}
