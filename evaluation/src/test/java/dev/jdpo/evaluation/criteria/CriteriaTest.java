package dev.jdpo.evaluation.criteria;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each criterion passes and fails the answers it should, read from YAML or JSON criteria files. */
class CriteriaTest {

    @TempDir Path dir;

    private Checker only(String yaml) throws IOException, InvalidCriteriaException {
        Path file = dir.resolve("criteria.yaml");
        Files.writeString(file, yaml);
        List<Checker> checkers = CriteriaFileReader.read(file);
        assertEquals(1, checkers.size());
        return checkers.get(0);
    }

    private static GeneratedAnswer answer(String row, String text, int tokens) {
        return new GeneratedAnswer(JsonParser.parseString(row).getAsJsonObject(), "prompt", text, tokens);
    }

    private static GeneratedAnswer answer(String text) {
        return answer("{}", text, 1);
    }

    @Test
    void wordLimitFromTheCriterionOrFromTheRow() throws Exception {
        Checker fixed = only("criteria:\n  - name: short\n    word_limit: {max: 3}\n");
        assertTrue(fixed.check(answer("one two  three\n")).pass());
        Verdict over = fixed.check(answer("one two three four five six"));
        assertFalse(over.pass());
        assertEquals(0.5, over.score(), 1e-12);
        assertEquals("6 words > 3", over.reason());

        Checker perRow = only("criteria:\n  - name: within\n    word_limit: {max_field: max_words}\n");
        assertTrue(perRow.check(answer("{\"max_words\": 2}", "a b", 2)).pass());
        assertFalse(perRow.check(answer("{\"max_words\": 2}", "a b c", 3)).pass());
        Verdict missing = perRow.check(answer("{}", "a", 1));
        assertFalse(missing.pass());
        assertEquals("the prompt row has no field \"max_words\"", missing.reason());
        assertFalse(perRow.check(answer("{\"max_words\": \"two\"}", "a", 1)).pass());
    }

    @Test
    void tokenLimitCountsGeneratedTokens() throws Exception {
        Checker tokens = only("{\"criteria\": [{\"name\": \"t\", \"token_limit\": {\"max\": 4}}]}");
        assertTrue(tokens.check(answer("{}", "many words here but few tokens", 4)).pass());
        Verdict over = tokens.check(answer("{}", "x", 8));
        assertFalse(over.pass());
        assertEquals(0.5, over.score(), 1e-12);
    }

    @Test
    void regexMustAndMustNotMatch() throws Exception {
        Checker must = only("criteria:\n  - name: cites\n    regex: {must_match: '\\[\\d+\\]'}\n");
        assertTrue(must.check(answer("as shown [12].")).pass());
        assertFalse(must.check(answer("as shown.")).pass());
        Checker mustNot = only(
                "criteria:\n  - name: polite\n    regex: {must_not_match: 'as an ai', ignore_case: true}\n");
        assertTrue(mustNot.check(answer("Sure, here it is.")).pass());
        Verdict found = mustNot.check(answer("As an AI, I cannot."));
        assertFalse(found.pass());
        assertEquals(0, found.score());
        assertTrue(found.reason().contains("As an AI"), found.reason());
    }

    @Test
    void exactAnswerFromTheRowWithAnExtractedLetter() throws Exception {
        Checker letter = only(
                "criteria:\n  - name: choice\n    exact_answer: {field: answer, extract: '\\b([A-D])\\b'}\n");
        assertTrue(letter.check(answer("{\"answer\": \"C\"}", "The answer is C.", 5)).pass());
        Verdict wrong = letter.check(answer("{\"answer\": \"C\"}", "B) because", 3));
        assertFalse(wrong.pass());
        assertEquals("answered \"B\", expected \"C\"", wrong.reason());
        assertFalse(letter.check(answer("{\"answer\": \"C\"}", "no idea", 2)).pass());

        Checker fixed = only("criteria:\n  - name: seven\n    exact_answer: {expected: '7'}\n");
        assertTrue(fixed.check(answer(" 7\n")).pass());
        assertFalse(fixed.check(answer("7.0")).pass());
        Checker number = only("criteria:\n  - name: sum\n    exact_answer: {field: sum}\n");
        assertTrue(number.check(answer("{\"sum\": 12}", "12", 1)).pass());
    }

    @Test
    void validJsonWithAndWithoutASchema() throws Exception {
        Checker any = only("criteria:\n  - name: json\n    json: {}\n");
        assertTrue(any.check(answer(" {\"a\": [1, 2]} ")).pass());
        assertFalse(any.check(answer("{'a': 1}")).pass());
        assertFalse(any.check(answer("{\"a\": 1} trailing")).pass());
        assertFalse(any.check(answer("")).pass());

        Checker inline = only("criteria:\n  - name: person\n    json:\n      schema:\n        type: object\n"
                + "        required: [name]\n        properties: {name: {type: string}}\n");
        assertTrue(inline.check(answer("{\"name\": \"Ada\"}")).pass());
        Verdict missing = inline.check(answer("{\"nom\": \"Ada\"}"));
        assertFalse(missing.pass());
        assertTrue(missing.reason().contains("name"), missing.reason());

        Files.copy(resource("person.schema.json"), dir.resolve("person.schema.json"));
        Checker draft7 = only("criteria:\n  - name: person\n    json: {schema_file: person.schema.json}\n");
        assertTrue(draft7.check(answer("{\"name\": \"Ada\", \"age\": 36}")).pass());
        assertFalse(draft7.check(answer("{\"name\": \"Ada\", \"age\": -1}")).pass());
        assertFalse(draft7.check(answer("[\"Ada\", 36]")).pass());
    }

    @Test
    void aCommandInAnotherLanguageDecides() throws Exception {
        List<Checker> checkers = CriteriaFileReader.read(resource("command.yaml"));
        Checker keyword = checkers.get(0);
        Verdict pass = keyword.check(answer("{\"keyword\": \"blue\"}", "the sky is blue today", 5));
        assertTrue(pass.pass(), pass.reason());
        assertEquals(1, pass.score());
        assertEquals("has blue in 5 words", pass.reason());
        Verdict fail = keyword.check(answer("{\"keyword\": \"blue\"}", "grey", 1));
        assertFalse(fail.pass());
        assertEquals(0.25, fail.score());
        assertEquals("lacks blue in 1 words", fail.reason());
    }

    @Test
    void aMisbehavingCommandFailsTheAnswerAndSaysWhy() throws Exception {
        List<Checker> checkers = CriteriaFileReader.read(resource("command.yaml"));
        GeneratedAnswer answer = answer("{\"keyword\": \"x\"}", "x", 1);
        Verdict slow = checkers.get(1).check(answer);
        assertFalse(slow.pass());
        assertEquals("node did not answer within 500 ms", slow.reason());
        Verdict crashed = checkers.get(2).check(answer);
        assertFalse(crashed.pass());
        assertEquals("node exited with status 3: checker: cannot judge crashes", crashed.reason());
        Verdict garbage = checkers.get(3).check(answer);
        assertFalse(garbage.pass());
        assertTrue(garbage.reason().contains("not a JSON object with a boolean \"pass\""), garbage.reason());
        Verdict missing = checkers.get(4).check(answer);
        assertFalse(missing.pass());
        assertTrue(missing.reason().startsWith("cannot start no-such-program-jdpo"), missing.reason());
    }

    @Test
    void badCriteriaNameTheirField() throws Exception {
        assertEquals("criteria[0].word_limit: set exactly one of max (a positive number) and max_field",
                invalid("criteria:\n  - name: a\n    word_limit: {}\n"));
        assertEquals("criteria[1].name: \"a\" is used twice",
                invalid("criteria:\n  - {name: a, json: {}}\n  - {name: a, json: {}}\n"));
        assertTrue(invalid("criteria:\n  - name: r\n    regex: {must_match: '(unclosed'}\n")
                .startsWith("criteria[0].regex.must_match: not a regular expression"));
        assertTrue(invalid("criteria:\n  - name: c\n").startsWith("criteria[0]: no check set"));
        assertTrue(invalid("criteria:\n  - name: c\n    colour: red\n").contains("colour"));
        assertEquals("criteria[0].command.argv: required, the program and its arguments",
                invalid("criteria:\n  - name: c\n    command: {timeout_ms: 5}\n"));
        Files.writeString(dir.resolve("broken.json"), "{\"type\": ");
        assertTrue(invalid("criteria:\n  - name: s\n    json: {schema_file: broken.json}\n")
                .startsWith("criteria[0].json.schema_file (" + dir.resolve("broken.json")
                        + "): not a usable JSON Schema"));
        assertEquals("criteria: at least one criterion is needed", invalid("criteria: []\n"));
        assertTrue(invalid("- just a list\n").endsWith("expected a mapping with a \"criteria\" list"));
    }

    private String invalid(String yaml) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml);
        InvalidCriteriaException e = assertThrows(InvalidCriteriaException.class, () -> CriteriaFileReader.read(file));
        String prefix = file + ": ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        return e.getMessage().substring(prefix.length());
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(CriteriaTest.class.getResource("/criteria/" + name).toURI());
    }

}
