package dev.jdpo.orchestrator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs another program to its end for a test, its stdout and stderr captured together in a file of {@code logDir}. */
public final class ExternalProcess {

    /** Exit code and combined output of a finished process. */
    public record Result(int exit, String output) {
    }

    private ExternalProcess() {
    }

    /** @throws AssertionError, with the output so far, when it runs past {@code timeoutSeconds} */
    public static Result run(List<String> command, Map<String, String> environment, Path logDir, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(logDir, "process", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
