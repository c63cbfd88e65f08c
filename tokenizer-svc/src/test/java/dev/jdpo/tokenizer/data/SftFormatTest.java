package dev.jdpo.tokenizer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jdpo.tokenizer.Fixtures;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.text.PairTokenizer;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SFT formats: detection, where the completion starts, errors by field, and their token ids. */
class SftFormatTest {

    private static JsonObject row(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    @Test
    void detectsMessagesAndPromptCompletionRowsButNotUnpairedPreferenceRows() {
        assertEquals(Optional.of(DataFormat.MESSAGES), DataFormat.detect(row("{\"messages\": []}")));
        assertEquals(Optional.of(DataFormat.PROMPT_COMPLETION),
                DataFormat.detect(row("{\"prompt\": \"p\", \"completion\": \"c\"}")));
        assertEquals(Optional.empty(), DataFormat.detect(row("{\"completion\": \"c\", \"label\": true}")),
                "TRL's unpaired preference rows (KTO) are not SFT rows");
        assertTrue(DataFormat.MESSAGES.sft() && DataFormat.PROMPT_COMPLETION.sft());
        assertFalse(DataFormat.TRL_STANDARD.sft());
        assertEquals(Optional.of(DataFormat.PROMPT_COMPLETION), DataFormat.fromId("prompt-completion"));
    }

    @Test
    void theLastAssistantMessageIsTheCompletionAndEverythingBeforeItThePrompt() throws Exception {
        PreferenceExample e = DataFormat.MESSAGES.parse(row("{\"messages\": ["
                + "{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"},"
                + "{\"role\": \"assistant\", \"content\": \"Hello\"}, {\"role\": \"user\", \"content\": \"Bye\"},"
                + "{\"role\": \"assistant\", \"content\": \"Bye!\", \"weight\": 1}]}"), 4);
        assertFalse(e.paired());
        assertNull(e.rejected());
        assertEquals(4, e.prompt().messages().size());
        assertEquals(1, e.chosen().messages().size());
        assertEquals("Bye!", e.chosen().messages().get(0).content());
        assertEquals(4, e.sourceLine());
    }

    @Test
    void messagesMustEndWithAnAssistantTurnAfterAPrompt() {
        InvalidRowException noAnswer = assertThrows(InvalidRowException.class, () -> DataFormat.MESSAGES.parse(
                row("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"), 1));
        assertEquals(ErrorCode.MISSING_ASSISTANT_MESSAGE, noAnswer.code());
        assertEquals("messages", noAnswer.field());
        InvalidRowException noPrompt = assertThrows(InvalidRowException.class, () -> DataFormat.MESSAGES.parse(
                row("{\"messages\": [{\"role\": \"assistant\", \"content\": \"Hi\"}]}"), 1));
        assertEquals(ErrorCode.EMPTY_CONTENT, noPrompt.code());
        InvalidRowException badRole = assertThrows(InvalidRowException.class, () -> DataFormat.MESSAGES.parse(
                row("{\"messages\": [{\"role\": \"robot\", \"content\": \"Hi\"}]}"), 1));
        assertEquals("messages[0].role", badRole.field());
    }

    @Test
    void promptCompletionIsTextOrMessagesAndErrorsNameTheField() throws Exception {
        PreferenceExample text = DataFormat.PROMPT_COMPLETION.parse(row("{\"prompt\": \"2+2=\", \"completion\": \" 4\"}"), 1);
        assertEquals(" 4", text.chosen().text());
        assertFalse(text.conversational());
        PreferenceExample chat = DataFormat.PROMPT_COMPLETION.parse(row("{\"prompt\": [{\"role\": \"user\","
                + " \"content\": \"Hi\"}], \"completion\": [{\"role\": \"assistant\", \"content\": \"Hello\"}]}"), 1);
        assertTrue(chat.conversational());
        InvalidRowException mixed = assertThrows(InvalidRowException.class, () -> DataFormat.PROMPT_COMPLETION.parse(
                row("{\"prompt\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"completion\": \"Hello\"}"), 1));
        assertEquals(ErrorCode.WRONG_TYPE, mixed.code());
        assertEquals("completion", mixed.field());
        InvalidRowException userAnswer = assertThrows(InvalidRowException.class, () -> DataFormat.PROMPT_COMPLETION
                .parse(row("{\"prompt\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"completion\": "
                        + "[{\"role\": \"user\", \"content\": \"Hello\"}]}"), 1));
        assertEquals("completion[0].role", userAnswer.field());
        InvalidRowException empty = assertThrows(InvalidRowException.class, () -> DataFormat.PROMPT_COMPLETION.parse(
                row("{\"prompt\": \"p\", \"completion\": \" \"}"), 1));
        assertEquals(ErrorCode.EMPTY_CONTENT, empty.code());
    }

    @Test
    void anSftExampleTokenizesLikeThePairsChosenSideWithNoRejectedIds() throws Exception {
        TextTokenizer tokenizer = Fixtures.tokenizer();
        PairEncoder encoder = new PairEncoder(tokenizer);
        PairTokenizer.TokenIds pair = encoder.encode(PreferenceExample.text(1, "What is 3 + 4? Answer:", " 7.", " 9."),
                DataFormat.TRL_STANDARD);
        PairTokenizer.TokenIds sft = encoder.encode(DataFormat.PROMPT_COMPLETION.parse(
                row("{\"prompt\": \"What is 3 + 4? Answer:\", \"completion\": \" 7.\"}"), 1), DataFormat.PROMPT_COMPLETION);
        assertArrayEquals(pair.promptIds(), sft.promptIds());
        assertArrayEquals(pair.chosenIds(), sft.chosenIds());
        assertEquals(0, sft.rejectedIds().length);

        PairTokenizer.TokenIds chat = encoder.encode(DataFormat.MESSAGES.parse(row("{\"messages\": [{\"role\": "
                + "\"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}"), 1),
                DataFormat.MESSAGES);
        assertArrayEquals(tokenizer.encode("Hello<|im_end|>\n"), chat.chosenIds(), "the template's assistant turn");
        assertEquals(0, chat.rejectedIds().length);
    }
}
