package dev.jdpo.evaluation.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.evaluation.Completion;
import dev.jdpo.evaluation.Judged;
import dev.jdpo.evaluation.criteria.Verdict;
import dev.jdpo.evaluation.prompts.PromptRow;
import dev.jdpo.tokenizer.data.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which sampled answers become a pair, and how a pair is written. */
class PairSamplerTest {

    private static final PromptRow ROW = PromptRow.ofText("Name a colour.");

    /** An answer to row {@code index} with one verdict per score (criteria "a", "b", ...). */
    private static Judged answer(int index, int sequence, String text, double... scores) {
        List<Verdict> verdicts = new ArrayList<>();
        for (int c = 0; c < scores.length; c++) {
            verdicts.add(new Verdict(String.valueOf((char) ('a' + c)), scores[c] == 1, scores[c], ""));
        }
        return new Judged(new Completion(index, ROW, sequence, "Name a colour.", text, 3, true), verdicts);
    }

    @Test
    void keepsTheBestOverTheWorstAndDropsTheMiddle() {
        SampledPairs result = PairSampler.select(List.of(
                answer(0, 0, "middle", 1, 0.5),
                answer(0, 1, "worst", 0, 0.5),
                answer(0, 2, "best", 1, 1),
                answer(0, 3, "also best", 1, 1)), 4);
        assertEquals(1, result.pairs().size());
        assertEquals(0, result.ties());
        SampledPair pair = result.pairs().get(0);
        assertEquals("best", pair.preferred().completion().answer(), "the first of the best-scoring samples");
        assertEquals("worst", pair.rejected().completion().answer());
    }

    @Test
    void theScoreIsTheMeanOfTheCriteriaScores() {
        // 1 + 0 = 1 passes one criterion of two, as does 0.5 + 0.5: a tie, although their pass counts differ
        SampledPairs result = PairSampler.select(List.of(
                answer(0, 0, "one pass", 1, 0),
                answer(0, 1, "no pass", 0.5, 0.5)), 2);
        assertEquals(List.of(), result.pairs());
        assertEquals(1, result.ties());
        assertEquals(0.75, PairScore.of(answer(0, 0, "x", 1, 0.5)), 1e-12);
    }

    @Test
    void tiesYieldNoPairAndAreCountedPerPrompt() {
        SampledPairs result = PairSampler.select(List.of(
                answer(0, 0, "a", 1), answer(0, 1, "b", 1), answer(0, 2, "c", 1),
                answer(1, 0, "d", 0), answer(1, 1, "e", 1), answer(1, 2, "f", 0),
                answer(2, 0, "g", 0), answer(2, 1, "h", 0), answer(2, 2, "i", 0)), 3);
        assertEquals(3, result.prompts());
        assertEquals(2, result.ties());
        assertEquals(1, result.pairs().size());
        assertEquals("e", result.pairs().get(0).preferred().completion().answer());
        assertEquals("d", result.pairs().get(0).rejected().completion().answer());
    }

    @Test
    void blankAnswersAreNoCandidates() {
        // preference data refuses an empty message, so a blank answer can be neither side
        SampledPairs result = PairSampler.select(List.of(
                answer(0, 0, " ", 1), answer(0, 1, "long answer", 0.2), answer(0, 2, "shorter", 0.6),
                answer(1, 0, "", 1), answer(1, 1, "only one", 0), answer(1, 2, "", 0)), 3);
        assertEquals(1, result.pairs().size());
        assertEquals("shorter", result.pairs().get(0).preferred().completion().answer());
        assertEquals("long answer", result.pairs().get(0).rejected().completion().answer());
        assertEquals(1, result.ties(), "a row with one non-blank answer has no pair");
        assertEquals(3, result.blankAnswers());
    }

    @Test
    void answersMustComeInWholeRows() {
        assertThrows(IllegalArgumentException.class,
                () -> PairSampler.select(List.of(answer(0, 0, "a", 1), answer(0, 1, "b", 0), answer(1, 0, "c", 1)), 2));
    }

    @Test
    void aPairIsAnOpenAiPreferenceLine() {
        PromptRow chat = new PromptRow(3, JsonParser.parseString("{\"messages\": []}").getAsJsonObject(), null,
                List.of(ChatMessage.of("system", "Be brief."), ChatMessage.of("user", "Hi")));
        Judged good = new Judged(new Completion(0, chat, 0, "rendered", "Hello", 1, true), List.of(Verdict.pass("a")));
        Judged bad = new Judged(new Completion(0, chat, 1, "rendered", "Hello there friend", 3, true),
                List.of(Verdict.fail("a", "too long")));
        JsonObject line = PreferenceLines.of(new SampledPair(good, bad));
        assertEquals(JsonParser.parseString("{\"input\": {\"messages\": [{\"role\": \"system\", \"content\": "
                + "\"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]}, \"preferred_output\": [{\"role\": "
                + "\"assistant\", \"content\": \"Hello\"}], \"non_preferred_output\": [{\"role\": \"assistant\", "
                + "\"content\": \"Hello there friend\"}]}"), line);
        JsonObject text = PreferenceLines.of(new SampledPair(answer(0, 0, "Red", 1), answer(0, 1, "Blue-ish", 0)));
        assertEquals(JsonParser.parseString("[{\"role\": \"user\", \"content\": \"Name a colour.\"}]"),
                text.getAsJsonObject("input").get("messages"));
    }
}
