package dev.jdpo.orchestrator.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdpo score}: the log-probability a model gives each chosen and rejected completion of a preference data
 * file, one JSON line per pair. The file is read by the tokenizer service's data layer, so every format and file
 * type that training takes is scored, tokenized exactly as training tokenizes it (chat template included).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score the chosen and rejected completions of preference pairs with a model.")
public final class ScoreCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory")
    Path model;

    @Option(names = "--adapter", description = "PEFT LoRA adapter directory to score with (on --model as its base)")
    Path adapter;

    @Option(names = "--data", required = true, description = "preference pairs in any format train takes "
            + "(OpenAI/Azure, TRL, orca, UltraFeedback; JSONL, JSON, gzip or Parquet)")
    Path data;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "F",
            description = "auto, openai, trl-standard, trl-conversational, trl-implicit, orca or ultrafeedback "
                    + "(default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--out", description = "output JSONL file (default: standard output)")
    Path out;

    @Option(names = "--batch-size", defaultValue = "8", description = "sequences per forward pass (default: 8)")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        if (batchSize <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--batch-size must be positive, got " + batchSize);
        }
        // every pair in file order: no shuffle, split or deduplication, and the first bad line stops the command
        DataOptions options = DataOptions.defaults().withFormat(DataFormat.fromId(format))
                .withSplit(0, 0, false).withRemoveDuplicates(false);
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            List<EncodedPair> pairs = new PreferenceDataset(new PairEncoder(tokenizer), options).load(data).train();
            if (pairs.isEmpty()) {
                throw new IOException(data + ": no pairs to score");
            }
            List<TokenSequence> sequences = new ArrayList<>(2 * pairs.size());
            for (EncodedPair pair : pairs) {
                sequences.add(new TokenSequence(pair.promptIds(), pair.chosenIds()));
                sequences.add(new TokenSequence(pair.promptIds(), pair.rejectedIds()));
            }
            List<SequenceScore> scores;
            try (CausalLM lm = CausalLM.load(model, adapter, LoadOptions.cpu())) {
                scores = new SequenceScorer(lm, tokenizer.specialTokens().padId()).score(sequences, batchSize, false);
            }
            JsonLines.write(out, spec.commandLine().getOut(), lines(pairs, scores));
            long notFinite = scores.stream().filter(score -> !Double.isFinite(score.logp())).count();
            if (notFinite > 0) {
                // valid JSON for every line, but a script must not take a diverged model's output as scores
                spec.commandLine().getErr().println("jdpo score: " + notFinite + " of " + scores.size()
                        + " log-probs are not finite (written as null); the model's weights give NaN or infinity");
                return 1;
            }
        }
        return 0;
    }

    private static List<JsonObject> lines(List<EncodedPair> pairs, List<SequenceScore> scores) {
        List<JsonObject> lines = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            SequenceScore chosen = scores.get(2 * i);
            SequenceScore rejected = scores.get(2 * i + 1);
            JsonObject line = new JsonObject();
            line.addProperty("index", i);
            line.addProperty("line", pairs.get(i).sourceLine());
            line.add("chosen_logp", jsonNumber(chosen.logp()));
            line.add("rejected_logp", jsonNumber(rejected.logp()));
            line.addProperty("chosen_tokens", chosen.tokens());
            line.addProperty("rejected_tokens", rejected.tokens());
            lines.add(line);
        }
        return lines;
    }

    /** JSON has no NaN or infinity (a diverged model gives them): those become {@code null}. */
    private static JsonElement jsonNumber(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
    }
}
