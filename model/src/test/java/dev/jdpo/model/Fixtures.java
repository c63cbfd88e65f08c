package dev.jdpo.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.logprob.TokenSequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** A PEFT LoRA adapter for tiny-llama (r 4, alpha 8, q/v/o/gate/up/down_proj, A and B both non-zero). */
    public static Path tinyLlamaLora() {
        return repoRoot().resolve("examples/tiny-llama-lora");
    }

    /** testdata/lora-golden.json's {@code lora_step}: tiny-llama + tiny-llama-lora against tiny-llama-ref. */
    public static JsonObject loraStep() {
        try {
            String text = Files.readString(repoRoot().resolve("testdata/lora-golden.json"), StandardCharsets.UTF_8);
            return JsonParser.parseString(text).getAsJsonObject().getAsJsonObject("lora_step");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Every golden pair's chosen sequence, then every rejected one (the order of the DPO step's batch). */
    public static List<TokenSequence> chosenThenRejected() {
        List<TokenSequence> sequences = new ArrayList<>();
        for (String side : List.of("chosen", "rejected")) {
            for (JsonElement pair : golden("golden").getAsJsonArray("pairs")) {
                sequences.add(sequence(pair.getAsJsonObject(), side));
            }
        }
        return sequences;
    }

    /** The chosen ({@code "chosen"}) or rejected ({@code "rejected"}) sequence of a golden pair. */
    public static TokenSequence sequence(JsonObject pair, String side) {
        return new TokenSequence(ints(pair.getAsJsonArray("prompt_ids")), ints(pair.getAsJsonArray(side + "_ids")));
    }
}
