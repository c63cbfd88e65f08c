package dev.jdpo.tokenizer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Format detection and the normalization rules of each format. */
class FormatParsingTest {

    @Test
    void detectsEachFormatFromItsFields() {
        assertEquals(Optional.of(DataFormat.OPENAI), DataFormat.detect(row("{\"input\": {}}")));
        assertEquals(Optional.of(DataFormat.ORCA), DataFormat.detect(row("{\"question\": \"q\"}")));
        assertEquals(Optional.of(DataFormat.TRL_CONVERSATIONAL), DataFormat.detect(row("{\"prompt\": []}")));
        assertEquals(Optional.of(DataFormat.ULTRAFEEDBACK), DataFormat.detect(row("{\"prompt\": \"p\", \"chosen\": []}")));
        assertEquals(Optional.of(DataFormat.TRL_STANDARD), DataFormat.detect(row("{\"prompt\": \"p\", \"chosen\": \"c\"}")));
        assertEquals(Optional.of(DataFormat.TRL_IMPLICIT), DataFormat.detect(row("{\"chosen\": \"c\", \"rejected\": \"r\"}")));
        assertEquals(Optional.empty(), DataFormat.detect(row("{\"text\": \"t\"}")));
    }

    @Test
    void formatNamesParseAndUnknownNamesAreListed() {
        assertEquals(Optional.of(DataFormat.TRL_IMPLICIT), DataFormat.fromId(" TRL-Implicit "));
        assertEquals(Optional.empty(), DataFormat.fromId("auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataFormat.fromId("csv"));
        assertTrue(e.getMessage().contains("ultrafeedback"), e.getMessage());
    }

    @Test
    void implicitTextPromptIsTheCommonPrefixAndTheSpaceStaysWithTheCompletions() throws Exception {
        PreferenceExample e = DataFormat.TRL_IMPLICIT.parse(row(
                "{\"chosen\": \"Q: 2+2? A: 4\", \"rejected\": \"Q: 2+2? A: 5\"}"), 3);
        assertEquals("Q: 2+2? A:", e.prompt().text());
        assertEquals(" 4", e.chosen().text());
        assertEquals(" 5", e.rejected().text());
        assertEquals(3, e.sourceLine());
    }

    @Test
    void implicitWithNothingSharedIsReported() {
        InvalidRowException e = assertThrows(InvalidRowException.class,
                () -> DataFormat.TRL_IMPLICIT.parse(row("{\"chosen\": \"yes\", \"rejected\": \"no\"}"), 1));
        assertEquals(ErrorCode.NO_SHARED_PROMPT, e.code());
    }

    @Test
    void openAiKeepsToolsAndToolCallsAndJoinsTextParts() throws Exception {
        PreferenceExample e = DataFormat.OPENAI.parse(row("{\"input\": {\"messages\": [{\"role\": \"user\","
                + " \"content\": [{\"type\": \"text\", \"text\": \"Weather \"}, {\"type\": \"text\", \"text\": \"now?\"}]}],"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"w\"}}]},"
                + " \"preferred_output\": [{\"role\": \"assistant\", \"tool_calls\": [{\"type\": \"function\","
                + " \"function\": {\"name\": \"w\", \"arguments\": \"{}\"}}]}],"
                + " \"non_preferred_output\": [{\"role\": \"assistant\", \"content\": \"No idea.\"}]}"), 1);
        assertEquals("Weather now?", e.prompt().messages().get(0).content());
        assertEquals(1, e.tools().size());
        ChatMessage call = e.chosen().messages().get(0);
        assertEquals(null, call.content());
        assertTrue(call.extra().get("tool_calls") instanceof List<?>);
    }

    @Test
    void openAiRejectsNonTextParts() {
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> DataFormat.OPENAI.parse(row(
                "{\"input\": {\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]},"
                        + " \"preferred_output\": [{\"role\": \"assistant\", \"content\": \"a\"}],"
                        + " \"non_preferred_output\": [{\"role\": \"assistant\", \"content\": \"b\"}]}"), 1));
        assertEquals(ErrorCode.WRONG_TYPE, e.code());
        assertEquals("input.messages[0].content[0].type", e.field());
    }

    @Test
    void ultraFeedbackPromptMustBeTheSharedUserTurn() {
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> DataFormat.ULTRAFEEDBACK.parse(row(
                "{\"prompt\": \"Something else\", \"chosen\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                        + " {\"role\": \"assistant\", \"content\": \"Hello\"}], \"rejected\": [{\"role\": \"user\","
                        + " \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Go\"}]}"), 1));
        assertEquals(ErrorCode.PROMPT_MISMATCH, e.code());
    }

    @Test
    void ultraFeedbackScoresMustBeNumbers() {
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> DataFormat.ULTRAFEEDBACK.parse(row(
                "{\"prompt\": \"Hi\", \"score_chosen\": \"high\", \"chosen\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                        + " {\"role\": \"assistant\", \"content\": \"Hello\"}], \"rejected\": [{\"role\": \"user\","
                        + " \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Go\"}]}"), 1));
        assertEquals(ErrorCode.WRONG_TYPE, e.code());
        assertEquals("score_chosen", e.field());
    }

    @Test
    void implicitConversationNamesTheAbsoluteIndexOfABadCompletionRole() {
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> DataFormat.TRL_IMPLICIT.parse(row(
                "{\"chosen\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"user\", \"content\": \"A\"}],"
                        + " \"rejected\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                        + " {\"role\": \"assistant\", \"content\": \"B\"}]}"), 1));
        assertEquals(ErrorCode.INVALID_OUTPUT_ROLE, e.code());
        assertEquals("chosen[1].role", e.field());
    }

    @Test
    void orcaWithoutSystemHasOnlyTheUserTurn() throws Exception {
        PreferenceExample e = DataFormat.ORCA.parse(row(
                "{\"system\": \"\", \"question\": \"Q?\", \"chosen\": \"A\", \"rejected\": \"B\"}"), 1);
        assertEquals(List.of(ChatMessage.of("user", "Q?")), e.prompt().messages());
        assertEquals(Map.of(), e.chosen().messages().get(0).extra());
    }

    @Test
    void trlToolsMayBeAJsonString() throws Exception {
        PreferenceExample e = DataFormat.TRL_CONVERSATIONAL.parse(row("{\"prompt\": [{\"role\": \"user\","
                + " \"content\": \"Hi\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"A\"}],"
                + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"B\"}],"
                + " \"tools\": \"[{\\\"type\\\": \\\"function\\\"}]\"}"), 1);
        assertEquals(List.of(Map.of("type", "function")), e.tools());
    }

    private static JsonObject row(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }
}
