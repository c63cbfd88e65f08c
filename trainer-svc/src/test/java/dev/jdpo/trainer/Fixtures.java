package dev.jdpo.trainer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.trainer.data.TrainingPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The repository's tiny models and golden numbers. */
public final class Fixtures {

    /** {@code <|endoftext|>}, the tiny tokenizer's pad token; right padding is masked, so any id would do. */
    public static final int PAD_ID = 0;

    private Fixtures() { }

    public static Path repoRoot() {
        String root = System.getProperty("jdpo.repo.root");
        return root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
    }

    public static Path policyDir() {
        return repoRoot().resolve("examples/tiny-llama");
    }

    public static Path referenceDir() {
        return repoRoot().resolve("examples/tiny-llama-ref");
    }

    public static JsonObject golden() {
        try {
            return JsonParser.parseString(Files.readString(repoRoot().resolve("testdata/golden.json"),
                    StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The four golden pairs, token ids only. */
    public static List<TrainingPair> goldenPairs() {
        List<TrainingPair> pairs = new ArrayList<>();
        for (var element : golden().getAsJsonObject("golden").getAsJsonArray("pairs")) {
            JsonObject pair = element.getAsJsonObject();
            pairs.add(new TrainingPair(new PairTokens(ids(pair, "prompt_ids"), ids(pair, "chosen_ids"),
                    ids(pair, "rejected_ids")), null));
        }
        return pairs;
    }

    /** {@code pairs} with log-probs of the tiny reference model attached. */
    public static List<TrainingPair> withReference(List<TrainingPair> pairs, boolean perToken) {
        try (CausalLM reference = CausalLM.load(referenceDir(), LoadOptions.cpu())) {
            return withReference(reference, pairs, perToken);
        } catch (ModelLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code pairs} with log-probs of {@code reference} attached, scored uncached four pairs at a time. */
    public static List<TrainingPair> withReference(CausalLM reference, List<TrainingPair> pairs, boolean perToken) {
        List<TokenSequence> sequences = new ArrayList<>(2 * pairs.size());
        pairs.forEach(pair -> sequences.add(pair.tokens().chosen()));
        pairs.forEach(pair -> sequences.add(pair.tokens().rejected()));
        List<SequenceScore> scores = new SequenceScorer(reference, PAD_ID).score(sequences, 4, perToken);
        List<TrainingPair> scored = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            SequenceScore chosen = scores.get(i);
            SequenceScore rejected = scores.get(pairs.size() + i);
            scored.add(new TrainingPair(pairs.get(i).tokens(), new PairLogProbs(chosen.logp(), rejected.logp(),
                    chosen.tokens(), rejected.tokens(), chosen.tokenLogps(), rejected.tokenLogps())));
        }
        return scored;
    }

    public static CausalLM trainablePolicy() {
        try {
            return CausalLM.load(policyDir(), LoadOptions.trainableCpu());
        } catch (ModelLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Synthetic pairs over the tiny vocabulary with varied prompt and completion lengths. */
    public static List<TrainingPair> syntheticPairs(int count, long seed) {
        Random random = new Random(seed);
        List<TrainingPair> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pairs.add(new TrainingPair(new PairTokens(randomIds(random, 3 + random.nextInt(10)),
                    randomIds(random, 1 + random.nextInt(8)), randomIds(random, 1 + random.nextInt(8))), null));
        }
        return pairs;
    }

    private static int[] randomIds(Random random, int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + random.nextInt(500);
        }
        return ids;
    }

    public static double[] doubles(JsonArray array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsDouble();
        }
        return values;
    }

    private static int[] ids(JsonObject pair, String field) {
        JsonArray array = pair.getAsJsonArray(field);
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).getAsInt();
        }
        return ids;
    }
}
