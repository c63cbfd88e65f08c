package dev.jdpo.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.Finished;
import dev.jdpo.proto.internal.v1.TrainProgress;
import dev.jdpo.proto.internal.v1.TrainStatus;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.checkpoint.Checkpoints;
import dev.jdpo.trainer.config.TrainingConfig;
import dev.jdpo.trainer.server.TrainerServerMain;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer as its own JVM: TrainerServerMain serves a job over TCP, and SIGTERM mid-run stops the job at a step
 * boundary with a checkpoint and a CANCELLED finish before the process exits.
 */
class TrainerProcessTest {

    @Test
    void sigtermCancelsTheRunningJobWithACheckpoint(@TempDir Path tmp) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "-Xmx1g", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                TrainerServerMain.class.getName(), "--port", "0", "--read-root", Fixtures.policyDir().toString(),
                "--write-root", tmp.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process process = builder.start();
        ManagedChannel channel = null;
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            int port = readyPort(output);
            CompletableFuture.runAsync(() -> output.lines().forEach(line -> { }));
            channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();

            TrainingConfig config = TrainingConfig.builder().batchSize(2).maxSteps(100_000).saveSteps(0).build();
            TrainClientCall call = TrainClientCall.open(channel).submit(TrainJobs.job("process", tmp, config).build(),
                    Fixtures.withReference(Fixtures.syntheticPairs(6, 51), false), List.of());
            call.awaitMessage(TrainProgress::hasStep);
            process.destroy();

            List<TrainProgress> progress = call.awaitCompletion();
            Finished finished = progress.get(progress.size() - 1).getFinished();
            assertEquals(TrainStatus.TRAIN_STATUS_CANCELLED, finished.getStatus());
            assertTrue(finished.getFinalStep() >= 1 && finished.getFinalStep() < 100_000);
            assertEquals(Checkpoints.directory(tmp, finished.getFinalStep()).toString(), finished.getLastCheckpoint());
            assertTrue(Files.isRegularFile(Path.of(finished.getLastCheckpoint(), "trainer_state.json")));
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the trainer process exits after SIGTERM");
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            process.destroyForcibly();
        }
    }

    /** Reads the process output until its ready line, which carries the port. */
    private static int readyPort(BufferedReader output) throws Exception {
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (line.startsWith(TrainerServerMain.READY_LINE)) {
                        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
                    }
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("the trainer exited before it was ready:\n" + seen);
        });
        Integer value = port.get(120, TimeUnit.SECONDS);
        assertNotNull(value);
        return value;
    }
}
