package dev.jdpo.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.evaluation.Judged;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.generate.GenerationOptions;
import dev.jdpo.model.generate.GenerationResult;
import dev.jdpo.model.generate.Generator;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.proto.v1.Criterion;
import dev.jdpo.proto.v1.EvaluationConfig;
import dev.jdpo.proto.v1.TokenLimit;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.trainer.Fixtures;
import dev.jdpo.trainer.config.InvalidConfigException;
import dev.jdpo.trainer.data.TrainingPair;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-run evaluation on the validation pairs' prompts, as training tokenized them. */
class CriteriaEvaluatorTest {

    private static final int MAX_NEW_TOKENS = 5;

    @Test
    void validationPromptsAreAnsweredGreedilyAsTokenizedAndJudged() throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(Fixtures.policyDir());
             CausalLM policy = CausalLM.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            List<TrainingPair> validation = List.of(
                    pair(tokenizer, "What is 3 + 4? Answer:"),
                    pair(tokenizer, "Is the cat big?"),
                    pair(tokenizer, "Give a short summary."));
            CriteriaEvalSettings settings = CriteriaEvalSettings.from(EvaluationConfig.newBuilder()
                    .setMaxPrompts(2).setMaxNewTokens(MAX_NEW_TOKENS).setSamplesPerEval(5)
                    .addCriteria(Criterion.newBuilder().setName("short")
                            .setTokenLimit(TokenLimit.newBuilder().setMax(3))).build());
            CriteriaEvaluator evaluator = CriteriaEvaluator.create(policy, tokenizer, settings, validation, 7);
            assertEquals(2, evaluator.size(), "max_prompts of the validation pairs");

            CriteriaReport report = evaluator.evaluate(0, 0);
            List<Integer> stops = policy.generationConfig().eosTokenIds();
            List<GenerationResult> expected = new Generator(policy).generate(
                    List.of(validation.get(0).tokens().promptIds(), validation.get(1).tokens().promptIds()),
                    GenerationOptions.greedy(MAX_NEW_TOKENS, stops), 1);
            assertEquals(2, report.samples().size(), "samples_per_eval is capped by the prompts");
            int passed = 0;
            for (int i = 0; i < 2; i++) {
                Judged sample = report.samples().get(i);
                int[] tokens = expected.get(i).tokens();
                int[] answer = expected.get(i).stopped() ? Arrays.copyOf(tokens, tokens.length - 1) : tokens;
                assertEquals(tokenizer.decode(answer), sample.completion().answer());
                assertEquals(tokenizer.decode(validation.get(i).tokens().promptIds()),
                        sample.completion().promptText());
                assertEquals(answer.length <= 3, sample.verdicts().get(0).pass());
                passed += answer.length <= 3 ? 1 : 0;
            }
            assertEquals(passed / 2.0, report.metrics().get("eval_criteria/short"), 1e-12);
            assertEquals(0.0, report.metrics().get("epoch"));
        }
    }

    @Test
    void withoutPromptsFileOrValidationPairsTheFieldIsNamed() throws Exception {
        try (TextTokenizer tokenizer = TextTokenizer.load(Fixtures.policyDir());
             CausalLM policy = CausalLM.load(Fixtures.policyDir(), LoadOptions.cpu())) {
            CriteriaEvalSettings settings = CriteriaEvalSettings.from(EvaluationConfig.newBuilder()
                    .addCriteria(Criterion.newBuilder().setName("short")
                            .setTokenLimit(TokenLimit.newBuilder().setMax(3))).build());
            InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                    () -> CriteriaEvaluator.create(policy, tokenizer, settings, List.of(), 7));
            assertEquals("evaluation.prompts_file", missing.field());
        }
        InvalidConfigException badRegex = assertThrows(InvalidConfigException.class,
                () -> CriteriaEvalSettings.from(EvaluationConfig.newBuilder().addCriteria(Criterion.newBuilder()
                        .setName("r").setRegex(dev.jdpo.proto.v1.RegexCheck.newBuilder().setMustMatch("("))).build()));
        assertEquals("evaluation.criteria[0].regex.must_match", badRegex.field());
        assertTrue(badRegex.getMessage().startsWith("evaluation.criteria[0].regex.must_match: "), badRegex.getMessage());
    }

    private static TrainingPair pair(TextTokenizer tokenizer, String prompt) {
        return new TrainingPair(new PairTokens(tokenizer.encode(prompt), new int[] {5}, new int[] {6}), null);
    }
}
