package dev.jdpo.reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.logprob.PairTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Pairs and paths the reference tests share. */
public final class TestPairs {

    private TestPairs() {
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    }

    public static Path tinyReference() {
        return repoRoot().resolve("examples/tiny-llama-ref");
    }

    /** {@code n} pairs of random ids below {@code vocab}, prompt 1..maxPrompt and completions 1..maxCompletion long. */
    public static List<IndexedPair> random(int n, long seed, int vocab, int maxPrompt, int maxCompletion) {
        Random rnd = new Random(seed);
        List<IndexedPair> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(pair(i, ids(rnd, 1 + rnd.nextInt(maxPrompt), vocab), ids(rnd, 1 + rnd.nextInt(maxCompletion), vocab),
                    ids(rnd, 1 + rnd.nextInt(maxCompletion), vocab)));
        }
        return out;
    }

    public static IndexedPair pair(long index, int[] prompt, int[] chosen, int[] rejected) {
        return new IndexedPair(index, index + 1, new PairTokens(prompt, chosen, rejected));
    }

    /** The golden pairs of testdata/golden.json for tiny-llama-ref, with transformers' float64 numbers. */
    public static List<GoldenPair> goldenReference() throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(repoRoot().resolve("testdata/golden.json")))
                .getAsJsonObject();
        List<GoldenPair> out = new ArrayList<>();
        JsonArray pairs = root.getAsJsonObject("golden_ref").getAsJsonArray("pairs");
        for (int i = 0; i < pairs.size(); i++) {
            JsonObject p = pairs.get(i).getAsJsonObject();
            out.add(new GoldenPair(pair(i, ints(p, "prompt_ids"), ints(p, "chosen_ids"), ints(p, "rejected_ids")),
                    p.get("chosen_logp").getAsDouble(), p.get("rejected_logp").getAsDouble(),
                    doubles(p, "chosen_token_logps")));
        }
        return out;
    }

    /** A golden pair and transformers' numbers for it. */
    public record GoldenPair(IndexedPair pair, double chosenLogp, double rejectedLogp, double[] chosenTokenLogps) { }

    private static int[] ids(Random rnd, int length, int vocab) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        return ids;
    }

    private static int[] ints(JsonObject o, String field) {
        JsonArray a = o.getAsJsonArray(field);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static double[] doubles(JsonObject o, String field) {
        JsonArray a = o.getAsJsonArray(field);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }
}
