package dev.jdpo.orchestrator.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.SequenceScorer;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.tokenizer.text.PairTokenizer;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jdpo score}: the log-probability a model gives each chosen and rejected completion of a JSONL file of
 * {@code {"prompt","chosen","rejected"}} rows, tokenized with TRL's convention, one JSON line per row.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score chosen/rejected completions of plain-text preference pairs with a model.")
public final class ScoreCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory")
    Path model;

    @Option(names = "--data", required = true, description = "JSONL rows with prompt, chosen and rejected text")
    Path data;

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
        List<TokenSequence> sequences = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            PairTokenizer pairs = new PairTokenizer(tokenizer);
            for (Row row : readRows(data)) {
                PairTokenizer.TokenIds ids = pairs.tokenize(row.prompt(), row.chosen(), row.rejected());
                sequences.add(new TokenSequence(ids.promptIds(), ids.chosenIds()));
                sequences.add(new TokenSequence(ids.promptIds(), ids.rejectedIds()));
            }
            List<SequenceScore> scores;
            try (CausalLM lm = CausalLM.load(model, LoadOptions.cpu())) {
                scores = new SequenceScorer(lm, tokenizer.specialTokens().padId()).score(sequences, batchSize, false);
            }
            write(scores);
        }
        return 0;
    }

    private void write(List<SequenceScore> scores) throws IOException {
        if (out == null) {
            PrintWriter stdout = spec.commandLine().getOut();
            writeLines(stdout, scores);
            stdout.flush();
            return;
        }
        try (Writer file = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            writeLines(file, scores);
        }
    }

    private static void writeLines(Writer writer, List<SequenceScore> scores) throws IOException {
        for (int i = 0; i < scores.size() / 2; i++) {
            SequenceScore chosen = scores.get(2 * i);
            SequenceScore rejected = scores.get(2 * i + 1);
            JsonObject line = new JsonObject();
            line.addProperty("index", i);
            line.add("chosen_logp", jsonNumber(chosen.logp()));
            line.add("rejected_logp", jsonNumber(rejected.logp()));
            line.addProperty("chosen_tokens", chosen.tokens());
            line.addProperty("rejected_tokens", rejected.tokens());
            writer.write(line + "\n");
        }
    }

    /** JSON has no NaN or infinity (a diverged model gives them): those become {@code null}. */
    private static JsonElement jsonNumber(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
    }

    /** One preference pair of the input file. */
    record Row(String prompt, String chosen, String rejected) { }

    /** Parses the JSONL file; errors name the file and the 1-based line. */
    static List<Row> readRows(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (!line.isBlank()) {
                    rows.add(parseRow(file, number, line));
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such data file", e);
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ": no rows to score");
        }
        return rows;
    }

    private static Row parseRow(Path file, int number, String line) throws IOException {
        String where = file + ":" + number + ": ";
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(line);
        } catch (JsonParseException e) {
            throw new IOException(where + "not valid JSON: " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new IOException(where + "expected a JSON object with prompt, chosen and rejected");
        }
        JsonObject object = parsed.getAsJsonObject();
        return new Row(text(object, "prompt", where), text(object, "chosen", where), text(object, "rejected", where));
    }

    private static String text(JsonObject object, String field, String where) throws IOException {
        JsonElement value = object.get(field);
        if (value == null || value.isJsonNull()) {
            throw new IOException(where + "field \"" + field + "\" is missing");
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new IOException(where + "field \"" + field + "\" must be a string (plain text), got " + value);
        }
        return value.getAsString();
    }
}
