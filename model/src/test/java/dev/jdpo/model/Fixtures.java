package dev.jdpo.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.logprob.TokenSequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the checked-in fixtures and typed access to testdata/golden.json. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path repoRoot() {
        String root = System.getProperty("jdpo.repo.root");
        return root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
    }

    public static Path tinyLlama() {
        return repoRoot().resolve("examples/tiny-llama");
    }

    public static Path tinyLlamaRef() {
        return repoRoot().resolve("examples/tiny-llama-ref");
    }

    /** The {@code golden} (tiny-llama) or {@code golden_ref} (tiny-llama-ref) section. */
    public static JsonObject golden(String section) {
        try {
            String text = Files.readString(repoRoot().resolve("testdata/golden.json"), StandardCharsets.UTF_8);
            return JsonParser.parseString(text).getAsJsonObject().getAsJsonObject(section);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    public static double[] doubles(JsonArray array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsDouble();
        }
        return out;
    }

    /** The chosen ({@code "chosen"}) or rejected ({@code "rejected"}) sequence of a golden pair. */
    public static TokenSequence sequence(JsonObject pair, String side) {
        return new TokenSequence(ints(pair.getAsJsonArray("prompt_ids")), ints(pair.getAsJsonArray(side + "_ids")));
    }
}
