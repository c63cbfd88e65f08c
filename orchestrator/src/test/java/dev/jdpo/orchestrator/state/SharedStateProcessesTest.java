package dev.jdpo.orchestrator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ServiceProcess;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.ListRunsRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several jdpo processes on one state directory (a sweep): two {@code jdpo train} JVMs at once beside a
 * {@code jdpo serve orchestrator}, each succeeding, every run listed by the server and resumed by none, the reference
 * cache shared. The first train holds the H2 file and exits first, so the others take the file over while they run.
 */
class SharedStateProcessesTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @Test
    void twoTrainsAndAServerShareOneStateDirectory() throws Exception {
        try {
            Process first = train("a");
            awaitOutput("a", "Training started", first);
            int port = TestWorkspace.freePort();
            try (ServiceProcess orchestrator = ServiceProcess.start(tmp.resolve("orchestrator.log"),
                    "jdpo orchestrator listening on 127.0.0.1:" + port, "orchestrator", "--port",
                    String.valueOf(port), "--state-dir", tmp.resolve("state").toString());
                 RunClient client = new RunClient(port)) {
                Process second = train("b");
                for (String name : List.of("a", "b")) {
                    Process process = name.equals("a") ? first : second;
                    assertTrue(process.waitFor(10, TimeUnit.MINUTES), "train " + name + " ended");
                    assertEquals(0, process.exitValue(), output(name));
                    assertTrue(output(name).contains("succeeded"), output(name));
                }
                List<Run> runs = client.stub().listRuns(ListRunsRequest.newBuilder().setPageSize(10).build())
                        .getRunsList();
                Map<String, RunStatus> byOutput = runs.stream().collect(Collectors.toMap(
                        run -> Path.of(run.getConfig().getOutput().getOutputDir()).getFileName().toString(),
                        Run::getStatus));
                assertEquals(Map.of("out-a", RunStatus.RUN_STATUS_SUCCEEDED,
                        "out-b", RunStatus.RUN_STATUS_SUCCEEDED), byOutput);
                for (Run run : runs) {
                    // the server started while train a ran: a run a live process holds is not resumed twice
                    assertTrue(client.watch(run.getId(), 0).stream()
                            .noneMatch(event -> event.getMessage().startsWith("Orchestrator restarted")), run.getId());
                }
            }
        } finally {
            started.forEach(Process::destroyForcibly);
        }
        String both = output("a") + output("b");
        assertTrue(both.contains("reference/cache_hits=64.00") && both.contains("reference/forward_passes=0.000"),
                "one run scored the pairs, the other found them all in the shared cache:\n" + both);
    }

    private Process train(String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Xss4m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                "dev.jdpo.orchestrator.cli.JdpoCli", "train", "--config", "examples/quickstart.yaml",
                "--max-steps", "3", "--save-steps", "3", "--output", tmp.resolve("out-" + name).toString(),
                "--state-dir", tmp.resolve("state").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private void awaitOutput(String name, String line, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!output(name).contains(line)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + line + "\" from train " + name + ":\n" + output(name));
            }
            Thread.sleep(100);
        }
    }

    private String output(String name) throws Exception {
        Path log = tmp.resolve(name + ".log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
