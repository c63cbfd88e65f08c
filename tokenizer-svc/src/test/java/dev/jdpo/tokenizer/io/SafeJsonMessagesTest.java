package dev.jdpo.tokenizer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed JSON is reported in the data author's terms: where and what, never the JSON library's advice. */
class SafeJsonMessagesTest {

    private static final List<String> LIBRARY_WORDS = List.of("jsonreader", "strictness", "lenient", "gson",
            "troubleshooting", "http", "exception");

    private static void assertNoLibraryAdvice(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        for (String word : LIBRARY_WORDS) {
            assertFalse(lower.contains(word), "'" + word + "' in: " + message);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"prompt\": \"a\",}", "{prompt: \"a\"}", "{'prompt': 'a'}", "{\"prompt\": \"a\"",
            "{\"prompt\": tru}", "{\"a\": NaN}", "{\"a\": 1} x", "{\"a\" 1}", "[1 2]", "// comment\n{}"})
    void aMalformedRowNamesThePlaceWithoutLibraryAdvice(String row) {
        InvalidRowException error = assertThrows(InvalidRowException.class, () -> SafeJson.parse(row));
        assertEquals(ErrorCode.MALFORMED_JSON, error.code());
        assertTrue(error.getMessage().startsWith("malformed JSON: ")
                || error.getMessage().equals("unexpected data after the JSON value"), error.getMessage());
        assertNoLibraryAdvice(error.getMessage());
    }

    @Test
    void theSyntaxErrorKeepsItsColumn() {
        InvalidRowException error = assertThrows(InvalidRowException.class, () -> SafeJson.parse("{prompt: 1}"));
        assertEquals("malformed JSON: invalid JSON syntax at line 1 column 3 path $.", error.getMessage());
    }

    @Test
    void aBrokenJsonArrayFileSaysSoWithoutLibraryAdvice() {
        JsonArraySource source = new JsonArraySource("pairs.json",
                new ByteArrayInputStream("[{\"prompt\": \"a\"} {\"prompt\": \"b\"}]".getBytes(StandardCharsets.UTF_8)));
        DataFileException error = assertThrows(DataFileException.class, () -> {
            while (source.next() != null) {
                // reads until the broken element
            }
        });
        assertTrue(error.getMessage().startsWith("pairs.json: element "), error.getMessage());
        assertNoLibraryAdvice(error.getMessage());
    }
}
