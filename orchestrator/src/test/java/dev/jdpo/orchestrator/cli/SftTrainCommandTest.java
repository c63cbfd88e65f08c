package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdpo train --method sft} on the tiny fixture: the first step's loss is the mean token NLL over the
 * completion tokens only, computed here from {@code jdpo score}'s log-probs and from transformers' (golden.json);
 * each SFT data format trains, and formats that hold the same examples give the same loss.
 */
class SftTrainCommandTest {

    private static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    private static final String POLICY = ROOT.resolve("examples/tiny-llama").toString();

    @TempDir Path tmp;

    private static JsonArray goldenPairs() throws Exception {
        return JsonParser.parseString(Files.readString(ROOT.resolve("testdata/golden.json"))).getAsJsonObject()
                .getAsJsonObject("golden").getAsJsonArray("pairs");
    }

    private Path write(String name, List<String> lines) throws Exception {
        return Files.write(tmp.resolve(name), lines, StandardCharsets.UTF_8);
    }

    /** TRL prompt/completion rows of the golden pairs' prompts and chosen answers. */
    private Path promptCompletionFile() throws Exception {
        List<String> lines = new ArrayList<>();
        for (JsonElement pair : goldenPairs()) {
            JsonObject row = new JsonObject();
            row.add("prompt", pair.getAsJsonObject().get("prompt"));
            row.add("completion", pair.getAsJsonObject().get("chosen"));
            lines.add(row.toString());
        }
        return write("prompt-completion.jsonl", lines);
    }

    /** One optimizer step over all four examples, every step logged; returns the training reports. */
    private List<JsonObject> trainOneStep(Path data, String name, String... extra) throws Exception {
        Path output = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--method", "sft", "--policy", POLICY,
                "--data", data.toString(), "--batch-size", "4", "--max-steps", "1", "--lr", "1e-3",
                "--logging-steps", "1", "--output", output.toString(),
                "--metrics-out", output.resolve("metrics.jsonl").toString(),
                "--state-dir", tmp.resolve(name + "-state").toString()));
        args.addAll(List.of(extra));
        RunCommandsTest.Result result = RunCommandsTest.jdpo(args.toArray(String[]::new));
        assertEquals(0, result.exit(), result.err() + result.out());
        assertTrue(Files.isRegularFile(output.resolve("final/model.safetensors")), "final/ is a model");
        return metricLines(output.resolve("metrics.jsonl"));
    }

    private static List<JsonObject> metricLines(Path file) throws Exception {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lines.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return lines;
    }

    @Test
    void firstStepLossIsTheMeanTokenNllOfTheCompletionsOnly() throws Exception {
        List<JsonObject> reports = trainOneStep(promptCompletionFile(), "golden");
        assertEquals(1, reports.size(), "one training report and no reference/ report: SFT loads no reference");
        JsonObject step = reports.get(0);
        double loss = step.get("loss").getAsDouble();

        // jdpo score's sequence log-probs of the same prompts and answers (the chosen side of the pairs)
        RunCommandsTest.Result score = RunCommandsTest.jdpo("score", "--model", POLICY, "--data",
                TrainCommandTest.writeData(tmp).toString());
        assertEquals(0, score.exit(), score.err());
        double nll = 0;
        long tokens = 0;
        for (String line : score.out().strip().split("\n")) {
            JsonObject scored = JsonParser.parseString(line).getAsJsonObject();
            nll -= scored.get("chosen_logp").getAsDouble();
            tokens += scored.get("chosen_tokens").getAsLong();
        }
        assertEquals(nll / tokens, loss, 1e-5 * Math.abs(loss), "loss = -sum(completion log-probs) / completion tokens");

        // transformers' per-token log-probs of the completion tokens, and the token counts TRL's SFT reports
        double goldenNll = 0;
        long completionTokens = 0;
        long allTokens = 0;
        for (JsonElement element : goldenPairs()) {
            JsonObject pair = element.getAsJsonObject();
            for (JsonElement logp : pair.getAsJsonArray("chosen_token_logps")) {
                goldenNll -= logp.getAsDouble();
                completionTokens++;
            }
            allTokens += pair.getAsJsonArray("prompt_ids").size() + pair.getAsJsonArray("chosen_ids").size();
        }
        assertEquals(completionTokens, tokens, "completion tokens scored by jdpo score and transformers");
        assertEquals(goldenNll / completionTokens, loss, 1e-4 * Math.abs(loss), "golden mean token NLL");
        assertEquals(allTokens, step.get("num_tokens").getAsLong(), "num_tokens: prompt + completion, once each");
        double accuracy = step.get("mean_token_accuracy").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, "mean_token_accuracy " + accuracy);
        assertFalse(step.has("rewards/accuracies"), "no preference metrics in SFT: " + step);
    }

    @Test
    void eachSftFormatTrainsAndTheSameExamplesGiveTheSameLoss() throws Exception {
        // OpenAI's chat fine-tuning rows (also TRL's conversational "messages" rows)
        Path messages = write("messages.jsonl", List.of(
                "{\"messages\":[{\"role\":\"system\",\"content\":\"You are a chatbot assistant.\"},"
                        + "{\"role\":\"user\",\"content\":\"What is 2 + 2?\"},{\"role\":\"assistant\",\"content\":\"4\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Say yes.\"},"
                        + "{\"role\":\"assistant\",\"content\":\"Yes.\"}]}"));
        // TRL's conversational prompt/completion rows holding the same conversations
        Path conversational = write("conversational.jsonl", List.of(
                "{\"prompt\":[{\"role\":\"system\",\"content\":\"You are a chatbot assistant.\"},"
                        + "{\"role\":\"user\",\"content\":\"What is 2 + 2?\"}],"
                        + "\"completion\":[{\"role\":\"assistant\",\"content\":\"4\"}]}",
                "{\"prompt\":[{\"role\":\"user\",\"content\":\"Say yes.\"}],"
                        + "\"completion\":[{\"role\":\"assistant\",\"content\":\"Yes.\"}]}"));
        double fromMessages = trainOneStep(messages, "messages", "--format", "messages").get(0)
                .get("loss").getAsDouble();
        double fromConversational = trainOneStep(conversational, "conversational").get(0).get("loss").getAsDouble();
        assertTrue(Double.isFinite(fromMessages) && fromMessages > 0, "loss " + fromMessages);
        assertEquals(fromMessages, fromConversational, 1e-6, "messages and prompt/completion lists");

        // TRL's text prompt/completion rows, and preference pairs trained on their preferred answers
        double fromText = trainOneStep(promptCompletionFile(), "text").get(0).get("loss").getAsDouble();
        double fromPairs = trainOneStep(TrainCommandTest.writeData(tmp), "pairs").get(0).get("loss").getAsDouble();
        assertEquals(fromText, fromPairs, 1e-6, "prompt/completion text and the pairs' chosen answers");
    }

    @Test
    void sftRowsInADpoRunAreRefusedNamingTheFile() throws Exception {
        Path data = promptCompletionFile();
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--policy", POLICY, "--data", data.toString(),
                "--max-steps", "1", "--output", tmp.resolve("dpo").toString(),
                "--state-dir", tmp.resolve("dpo-state").toString());
        assertEquals(1, result.exit(), result.out());
        String all = result.err() + result.out();
        assertTrue(all.contains("holds SFT rows (format prompt-completion") && all.contains("training.method"), all);
    }

    @Test
    void sftWarmupTrainsOnThePreferredAnswersThenDpoStartsAtLn2FromTheSftResult() throws Exception {
        Path data = TrainCommandTest.writeData(tmp);
        Path output = tmp.resolve("warmup");
        RunCommandsTest.Result result = RunCommandsTest.jdpo("train", "--policy", POLICY, "--data", data.toString(),
                "--sft-warmup-steps", "2", "--set", "training.sft_warmup.learning_rate=1e-2", "--loss", "sigmoid",
                "--lr", "1e-3", "--scheduler", "constant", "--warmup-steps", "0", "--batch-size", "4",
                "--max-steps", "1", "--logging-steps", "1", "--output", output.toString(),
                "--metrics-out", output.resolve("metrics.jsonl").toString(),
                "--state-dir", tmp.resolve("warmup-state").toString());
        assertEquals(0, result.exit(), result.err() + result.out());
        assertTrue(result.out().contains("Stage 1 of 2: SFT") && result.out().contains("Stage 2 of 2: DPO"),
                result.out());
        Path sftResult = output.resolve("sft/final");
        assertTrue(Files.isRegularFile(sftResult.resolve("model.safetensors")), "stage 1's model in sft/final");
        assertTrue(Files.isDirectory(output.resolve("sft/checkpoint-2")), "stage 1's checkpoints in sft/");
        assertTrue(Files.isRegularFile(output.resolve("final/model.safetensors")), "the DPO result in final/");

        List<JsonObject> training = TrainCommandTest.trainingLines(output.resolve("metrics.jsonl"));
        assertEquals(List.of(1, 2, 3), training.stream().map(line -> line.get("step").getAsInt()).toList(),
                "the run's steps: SFT 1-2, then DPO's first step as 3");
        assertTrue(training.get(0).has("mean_token_accuracy") && training.get(1).has("mean_token_accuracy"));
        JsonObject dpo = training.get(2);
        assertEquals(Math.log(2), dpo.get("loss").getAsDouble(), 1e-6, "policy start == reference: loss ln 2");

        // the SFT stage learned the preferred answers, and DPO started from (and against) what it learned
        double base = meanChosenLogp(POLICY, data);
        double sft = meanChosenLogp(sftResult.toString(), data);
        assertTrue(sft > base + 0.5, "SFT raised the preferred answers' log-probs: " + base + " -> " + sft);
        assertEquals(sft, dpo.get("logps/chosen").getAsDouble(), 1e-4 * Math.abs(sft), "DPO's policy start");
        assertEquals(0.0, dpo.get("rewards/chosen").getAsDouble(), 1e-6, "reference = the SFT result");
    }

    private static double meanChosenLogp(String model, Path data) {
        RunCommandsTest.Result score = RunCommandsTest.jdpo("score", "--model", model, "--data", data.toString());
        assertEquals(0, score.exit(), score.err());
        String[] lines = score.out().strip().split("\n");
        double sum = 0;
        for (String line : lines) {
            sum += JsonParser.parseString(line).getAsJsonObject().get("chosen_logp").getAsDouble();
        }
        return sum / lines.length;
    }
}
