package dev.jdpo.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus' own parser and linter for the text exposition format ({@code promtool check metrics}, Debian's
 * {@code prometheus} package), and a reader of the samples of text it accepted; shared by the metrics tests.
 */
public final class PromTool {

    /** One sample line: the metric name, its labels and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Path DEBIAN_BINARY = Path.of("/usr/bin/promtool");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Path binary;

    private PromTool(Path binary) {
        this.binary = binary;
    }

    /**
     * promtool, or empty where it is not installed. Without it, a CI build ({@code ci}: the CI environment variable,
     * set and not "false") fails, since .ci/run installs it; elsewhere the calling test may skip.
     */
    public static Optional<PromTool> locate(String ci) {
        if (Files.isExecutable(DEBIAN_BINARY)) {
            return Optional.of(new PromTool(DEBIAN_BINARY));
        }
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            throw new AssertionError(DEBIAN_BINARY + " not found (CI is set, so this check must not be skipped: "
                    + ".ci/run installs the Debian package prometheus)");
        }
        return Optional.empty();
    }

    /**
     * Runs {@code promtool check metrics} on {@code exposition}: parse errors and lint problems (a counter without
     * {@code _total}, a metric without help, ...) both fail.
     *
     * @throws AssertionError with promtool's report when it does not accept the text
     */
    public void check(String exposition) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "check", "metrics").redirectErrorStream(true)
                    .start();
            try (var in = process.getOutputStream()) {
                in.write(exposition.getBytes(StandardCharsets.UTF_8));
            }
            String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool check metrics did not finish in 30 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("promtool check metrics exited " + process.exitValue() + ":\n" + report);
            }
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot run " + binary, failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running promtool", interrupted);
        }
    }

    /** The sample lines of an exposition {@link #check} accepted, in order (comments and blank lines skipped). */
    public static List<Sample> samples(String exposition) {
        List<Sample> samples = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(sample.group(1), labels, value(sample.group(3))));
        }
        return samples;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
