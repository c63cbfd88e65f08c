package dev.jdpo.evaluation.criteria;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An external program decides: it reads {@code {"criterion","prompt","answer","row"}} as one JSON object on stdin
 * and writes {@code {"pass": bool, "score": number?, "reason": text?}} on stdout. Any failure of the program (no
 * start, timeout, non-zero exit, other output) fails the answer and says why.
 */
record CommandChecker(String name, List<String> argv, Path directory, long timeoutMillis) implements Checker {

    /** Output kept per stream: a verdict is small; a runaway program must not fill the heap. */
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;
    /** Readers of the programs' output: own threads, because blocking reads would starve the common pool. */
    private static final ExecutorService OUTPUT_READERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "criterion-command-output");
        thread.setDaemon(true);
        return thread;
    });

    CommandChecker {
        argv = List.copyOf(argv);
    }

    @Override
    public Verdict check(GeneratedAnswer answer) {
        JsonObject input = new JsonObject();
        input.addProperty("criterion", name);
        input.addProperty("prompt", answer.prompt());
        input.addProperty("answer", answer.text());
        input.add("row", answer.row());
        Process process;
        try {
            process = new ProcessBuilder(argv).directory(directory.toFile()).start();
        } catch (IOException e) {
            return Verdict.fail(name, "cannot start " + argv.get(0) + ": " + e.getMessage());
        }
        try {
            CompletableFuture<byte[]> stdout = drain(process.getInputStream());
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the program may answer without reading its input; its exit status and output decide
            }
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                return Verdict.fail(name, argv.get(0) + " did not answer within " + timeoutMillis + " ms");
            }
            String out = new String(stdout.get(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                String err = new String(stderr.get(), StandardCharsets.UTF_8).strip();
                return Verdict.fail(name, argv.get(0) + " exited with status " + process.exitValue()
                        + (err.isEmpty() ? "" : ": " + RowFields.cut(lastLine(err))));
            }
            return parse(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.fail(name, "interrupted while " + argv.get(0) + " ran");
        } catch (ExecutionException e) {
            return Verdict.fail(name, "cannot read the output of " + argv.get(0) + ": " + e.getCause().getMessage());
        } finally {
            process.destroyForcibly();
        }
    }

    private Verdict parse(String out) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(out);
        } catch (JsonParseException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isJsonObject()
                || !(parsed.getAsJsonObject().get("pass") instanceof JsonPrimitive pass) || !pass.isBoolean()) {
            return Verdict.fail(name, argv.get(0) + " answered \"" + RowFields.cut(out)
                    + "\", not a JSON object with a boolean \"pass\"");
        }
        JsonObject verdict = parsed.getAsJsonObject();
        boolean passed = pass.getAsBoolean();
        double score = passed ? 1 : 0;
        if (verdict.get("score") instanceof JsonPrimitive given && given.isNumber()) {
            score = given.getAsDouble();
        }
        if (!(score >= 0 && score <= 1)) {
            return Verdict.fail(name, argv.get(0) + " answered score " + score + ", outside [0, 1]");
        }
        String reason = verdict.get("reason") instanceof JsonPrimitive text && text.isString()
                ? text.getAsString() : "";
        return new Verdict(name, passed, score, reason);
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream kept = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                for (int n = stream.read(buffer); n >= 0; n = stream.read(buffer)) {
                    kept.write(buffer, 0, Math.max(0, Math.min(n, MAX_OUTPUT_BYTES - kept.size())));
                }
                return kept.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, OUTPUT_READERS);
    }

    private static String lastLine(String text) {
        return text.substring(text.lastIndexOf('\n') + 1);
    }
}
