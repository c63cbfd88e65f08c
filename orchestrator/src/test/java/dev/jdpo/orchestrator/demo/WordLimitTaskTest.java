package dev.jdpo.orchestrator.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.jdpo.evaluation.criteria.Checker;
import dev.jdpo.evaluation.criteria.CriteriaFileReader;
import dev.jdpo.evaluation.criteria.GeneratedAnswer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's task: deterministic from the seed, held-out prompts unseen in training, answers judged as intended. */
class WordLimitTaskTest {

    @TempDir Path tmp;

    @Test
    void sameSeedSameTaskOtherSeedOtherTask() {
        assertEquals(WordLimitTask.generate(7, 100, 20, 0.6), WordLimitTask.generate(7, 100, 20, 0.6));
        assertNotEquals(WordLimitTask.generate(7, 100, 20, 0.6), WordLimitTask.generate(8, 100, 20, 0.6));
    }

    @Test
    void heldOutPromptsAreNotTrainedOn() {
        TaskSplit split = WordLimitTask.generate(3, 412, 100, 0.6);
        Set<String> trained = new HashSet<>();
        split.train().forEach(e -> trained.add(e.prompt()));
        assertEquals(412, trained.size(), "training prompts are distinct");
        assertEquals(100, split.heldOut().size());
        split.heldOut().forEach(e -> assertFalse(trained.contains(e.prompt()), e.prompt()));
    }

    @Test
    void theSupervisedAnswersMixViolationsInTheGivenShare() {
        TaskSplit split = WordLimitTask.generate(5, 412, 100, 0.6);
        long violating = split.train().stream().filter(TaskExample::sftViolates).count();
        assertTrue(violating > 0.5 * 412 && violating < 0.7 * 412, violating + " of 412");
    }

    @Test
    void theDemoCriteriaPassCompliantAndFailViolatingAnswers() throws Exception {
        TaskSplit split = WordLimitTask.generate(11, 60, 10, 0.5);
        DemoFiles files = new DemoFiles(tmp);
        files.write(split, DemoSettings.standard(11));
        List<Checker> checkers = CriteriaFileReader.read(files.criteria());
        for (TaskExample example : split.train()) {
            assertTrue(passes(checkers, example, example.compliant()), example.compliant());
            assertFalse(passes(checkers, example, example.violating()), example.violating());
            assertTrue(example.prompt().contains("at most " + example.maxWords() + " words"), example.prompt());
        }
        TaskExample any = split.train().get(0);
        assertFalse(passes(checkers, any, "......"), "dots fit the word limit but are no answer");
    }

    @Test
    void refusesMorePromptsThanTheTaskHas() {
        assertThrows(IllegalArgumentException.class,
                () -> WordLimitTask.generate(1, WordLimitTask.promptCount(), 1, 0.5));
    }

    private static boolean passes(List<Checker> checkers, TaskExample example, String answer) {
        JsonObject row = new JsonObject();
        row.addProperty("prompt", example.prompt());
        row.addProperty("max_words", example.maxWords());
        GeneratedAnswer generated = new GeneratedAnswer(row, example.prompt(), answer, answer.length());
        return checkers.stream().allMatch(c -> c.check(generated).pass());
    }
}
