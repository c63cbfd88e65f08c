package dev.jdpo.tokenizer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.testing.ReflectionProbe;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tokenizer as its own JVM serves TokenizerService with health and reflection, and exits on SIGTERM. */
class TokenizerServerMainTest {

    @Test
    void servesTokenizerHealthAndReflectionThenExitsOnSigterm() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), TokenizerServerMain.class.getName(), "--port", "0");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ManagedChannel channel = null;
        try {
            String address = readyAddress(process);
            assertTrue(address.startsWith("127.0.0.1:"), address);
            channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                    .setService(TokenizerServiceGrpc.SERVICE_NAME).build()).getStatus());
            assertTrue(ReflectionProbe.services(channel).contains(TokenizerServiceGrpc.SERVICE_NAME));

            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the tokenizer exits after SIGTERM");
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            process.destroyForcibly();
        }
    }

    @Test
    void aBadPortIsAOneLineError() {
        StringWriter err = new StringWriter();
        CommandLine cli = TokenizerServerMain.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new ByteArrayOutputStream()));
        assertEquals(1, cli.execute("--port", "70000"));
        String shown = err.toString().trim();
        assertEquals("jdpo serve tokenizer: port: must be in [0, 65535], got 70000", shown);
        assertFalse(shown.contains("\tat "), "no stack trace");
    }

    /** Reads the process output up to the ready line and returns the host:port it names; drains the rest. */
    private static String readyAddress(Process process) throws Exception {
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
            List<String> seen = new ArrayList<>();
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (line.startsWith(TokenizerServerMain.READY_LINE)) {
                        return line.substring(TokenizerServerMain.READY_LINE.length()).trim();
                    }
                    seen.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("the tokenizer exited before serving: " + String.join("\n", seen));
        });
        String ready = address.get(60, TimeUnit.SECONDS);
        Thread drain = new Thread(() -> output.lines().forEach(line -> { }));
        drain.setDaemon(true);
        drain.start();
        return ready;
    }
}
