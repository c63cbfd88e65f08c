package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.TextGenerator;
import dev.jdpo.evaluation.prompts.PromptFile;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.orchestrator.config.RunConfigReader;
import dev.jdpo.proto.v1.CriterionVerdict;
import dev.jdpo.proto.v1.EvalSample;
import dev.jdpo.proto.v1.EvalSamples;
import dev.jdpo.proto.v1.MetricsReport;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation during a run: the trainer generates with the policy it trains at step 0, every eval_interval and at the
 * end, reports eval_criteria/<name> pass rates as metrics and the answers as eval_samples events; the run's summary
 * shows the first and last rates.
 */
class InRunEvaluationTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));
    private static final Path MODEL = REPO.resolve("examples/tiny-llama");
    private static final int MAX_NEW_TOKENS = 6;

    @Test
    void passRatesAndSamplesAtStepZeroEveryIntervalAndTheEnd(@TempDir Path tmp) throws Exception {
        Path prompts = tmp.resolve("prompts.jsonl");
        Files.writeString(prompts, """
                {"prompt": "What is 3 + 4? Answer:", "max_words": 1}
                {"prompt": "Is the cat big?", "max_words": 3}
                {"prompt": "Give a short summary.", "max_words": 2}
                {"prompt": "Name a colour.", "max_words": 5}
                """);
        RunConfig config = new RunConfigReader().parse("model: {policy: " + MODEL + ", device: cpu}\n"
                + "data: {training_file: " + REPO.resolve("examples/data/trl-standard.jsonl") + "}\n"
                + "training: {batch_size: 2, max_steps: 4, learning_rate: 5e-3, loss_types: [sigmoid]}\n"
                + "output: {output_dir: " + tmp.resolve("out") + ", log_interval: 1, eval_interval: 2}\n"
                + "evaluation:\n"
                + "  prompts_file: " + prompts + "\n"
                + "  max_new_tokens: " + MAX_NEW_TOKENS + "\n"
                + "  samples_per_eval: 4\n"
                + "  criteria:\n"
                + "    - {name: within_limit, word_limit: {max_field: max_words}}\n"
                + "    - {name: no_the, regex: {must_not_match: '\\bthe\\b', ignore_case: true}}\n",
                "test", List.of());
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        Run run = EmbeddedRun.execute(config, tmp.resolve("state"), new PrintWriter(new StringWriter()), events::add);

        Map<Long, EvalSamples> samples = new TreeMap<>();
        Map<Long, Map<String, Double>> rates = new TreeMap<>();
        for (RunEvent event : events) {
            if (event.hasEvalSamples()) {
                samples.put(event.getEvalSamples().getStep(), event.getEvalSamples());
            }
            MetricsReport metrics = event.getMetrics();
            if (metrics.containsValues("eval_criteria/within_limit")) {
                rates.put(metrics.getStep(), metrics.getValuesMap());
            }
        }
        assertEquals(List.of(0L, 2L, 4L), List.copyOf(rates.keySet()), "step 0, every eval_interval, the end");
        assertEquals(rates.keySet(), samples.keySet());
        for (long step : rates.keySet()) {
            List<EvalSample> answers = samples.get(step).getSamplesList();
            assertEquals(4, answers.size());
            for (String criterion : List.of("within_limit", "no_the")) {
                long passed = answers.stream().filter(a -> verdict(a, criterion).getPass()).count();
                assertEquals(passed / 4.0, rates.get(step).get("eval_criteria/" + criterion), 1e-12,
                        criterion + " at step " + step + ": the rate is the share of answers that passed");
            }
            int[] limits = {1, 3, 2, 5};
            for (int i = 0; i < answers.size(); i++) {
                int words = answers.get(i).getAnswer().isBlank() ? 0
                        : answers.get(i).getAnswer().trim().split("\\s+").length;
                assertEquals(words <= limits[i], verdict(answers.get(i), "within_limit").getPass(),
                        "step " + step + " answer " + i + ": " + answers.get(i).getAnswer());
            }
        }

        List<String> before = greedyAnswers(MODEL, prompts);
        assertEquals(before, samples.get(0L).getSamplesList().stream().map(EvalSample::getAnswer).toList(),
                "step 0 answers with the starting weights");
        List<String> after = greedyAnswers(tmp.resolve("out/final"), prompts);
        assertEquals(after, samples.get(4L).getSamplesList().stream().map(EvalSample::getAnswer).toList(),
                "the last evaluation answers with the final weights");
        assertNotEquals(before, after, "four steps at lr 5e-3 change what the tiny model says");
        assertTrue(samples.get(0L).getSamples(0).getPrompt().contains("What is 3 + 4?"));

        RunSummary summary = new RunSummary();
        events.forEach(summary::record);
        List<String> summaryLines = summary.lines(run);
        assertTrue(summaryLines.contains("  criteria pass rates (step 0 -> 4): no_the "
                + percent(rates.get(0L).get("eval_criteria/no_the")) + " -> " + percent(rates.get(4L)
                .get("eval_criteria/no_the")) + ", within_limit " + percent(rates.get(0L)
                .get("eval_criteria/within_limit")) + " -> " + percent(rates.get(4L)
                .get("eval_criteria/within_limit"))), "the summary train and watch print has the before/after: "
                + summaryLines);

        String report = Files.readString(tmp.resolve("out/report.html"));
        for (String criterion : List.of("within_limit", "no_the")) {
            double passBefore = rates.get(0L).get("eval_criteria/" + criterion);
            double passAfter = rates.get(4L).get("eval_criteria/" + criterion);
            assertTrue(report.contains("<tr data-criterion=\"" + criterion + "\"><td>" + criterion
                    + "</td><td class=\"pass-before\">" + percent(passBefore) + "</td><td class=\"pass-after\">"
                    + percent(passAfter) + "</td>"), "the run's report.html has the before/after of " + criterion);
        }
        assertTrue(report.contains(samples.get(4L).getSamples(0).getAnswer().replace("&", "&amp;")
                .replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;")),
                "the last evaluation's answers are on the page");
    }

    private static String percent(double rate) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", 100 * rate);
    }

    private static CriterionVerdict verdict(EvalSample sample, String criterion) {
        return sample.getVerdictsList().stream().filter(v -> v.getCriterion().equals(criterion)).findFirst()
                .orElseThrow();
    }

    private static List<String> greedyAnswers(Path model, Path prompts) throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(model);
             CausalLM lm = CausalLM.load(model, LoadOptions.cpu())) {
            List<Completion> completions = new TextGenerator(lm, tokenizer).generate(PromptFile.read(prompts), false,
                    GenerationOptions.greedy(MAX_NEW_TOKENS, lm.generationConfig().eosTokenIds()), 1, 1);
            return completions.stream().map(Completion::answer).toList();
        }
    }
}
