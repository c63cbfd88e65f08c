package dev.jdpo.tokenizer.pipeline;

import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.data.DataFormat;
import dev.jdpo.tokenizer.data.ErrorCode;
import dev.jdpo.tokenizer.data.InvalidRowException;
import dev.jdpo.tokenizer.data.PreferenceExample;
import dev.jdpo.tokenizer.template.ChatTemplate;
import dev.jdpo.tokenizer.template.TemplateException;
import dev.jdpo.tokenizer.text.PairTokenizer;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Token ids of a pair (or of an SFT example, whose rejected ids are empty), as TRL computes them. Text: {@code tok(prompt)} and {@code tok(prompt + completion + eos)}
 * minus the prompt's ids. Conversational: the prompt rendered with {@code add_generation_prompt=True}, and the ids
 * of prompt + assistant turn rendered by the template, minus the prompt's ids. Either way the prompt's ids must be
 * an exact prefix, or the split would not be where the text splits.
 */
public final class PairEncoder {

    private final TextTokenizer tokenizer;
    private final PairTokenizer pairs;
    private final Optional<ChatTemplate> template;

    public PairEncoder(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.pairs = new PairTokenizer(tokenizer);
        this.template = tokenizer.chatTemplate().map(source -> new ChatTemplate(source, tokenizer.specialTokens()));
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The ids of one pair; the format names the fields in errors. */
    public PairTokenizer.TokenIds encode(PreferenceExample example, DataFormat format) throws InvalidRowException {
        return example.conversational() ? encodeChat(example, format) : encodeText(example, format);
    }

    /** The prompt as the model sees it: the text itself, or the chat template's rendering with the generation prompt. */
    public String promptText(PreferenceExample example) throws InvalidRowException {
        if (!example.conversational()) {
            return example.prompt().text();
        }
        return render(example.prompt().messages(), example, true, "prompt");
    }

    private PairTokenizer.TokenIds encodeText(PreferenceExample example, DataFormat format) throws InvalidRowException {
        PairTokenizer.CheckedIds checked = pairs.tokenizeChecked(example.prompt().text(), example.chosen().text(),
                example.paired() ? example.rejected().text() : null);
        requireBoundary(checked.chosenBoundaryMatches(), format.chosenField());
        requireBoundary(checked.rejectedBoundaryMatches(), format.rejectedField());
        return checked.ids();
    }

    private PairTokenizer.TokenIds encodeChat(PreferenceExample example, DataFormat format) throws InvalidRowException {
        String prompt = render(example.prompt().messages(), example, true, format.promptField());
        int[] promptIds = tokenizer.encode(prompt);
        int[] chosen = completion(example, prompt, promptIds, example.chosen().messages(), format.chosenField());
        int[] rejected = example.paired()
                ? completion(example, prompt, promptIds, example.rejected().messages(), format.rejectedField())
                : new int[0];
        return new PairTokenizer.TokenIds(promptIds, chosen, rejected);
    }

    private int[] completion(PreferenceExample example, String prompt, int[] promptIds, List<ChatMessage> turn,
                             String field) throws InvalidRowException {
        List<ChatMessage> conversation = new ArrayList<>(example.prompt().messages());
        conversation.addAll(turn);
        String full = render(conversation, example, false, field);
        if (!full.startsWith(prompt)) {
            throw new InvalidRowException(ErrorCode.TEMPLATE_PREFIX_MISMATCH, field, "the chat template renders the "
                    + "prompt differently once " + field + " is appended, so the completion cannot be separated");
        }
        int[] fullIds = tokenizer.encode(full);
        requireBoundary(PairTokenizer.startsWith(fullIds, promptIds), field);
        return Arrays.copyOfRange(fullIds, promptIds.length, fullIds.length);
    }

    private String render(List<ChatMessage> messages, PreferenceExample example, boolean generationPrompt,
                          String field) throws InvalidRowException {
        if (template.isEmpty()) {
            throw new InvalidRowException(ErrorCode.NO_CHAT_TEMPLATE, field, "the row is conversational but "
                    + tokenizer.modelDir() + " has no chat template (chat_template.jinja or tokenizer_config.json)");
        }
        try {
            return template.get().render(messages, example.tools(), generationPrompt);
        } catch (TemplateException e) {
            throw new InvalidRowException(ErrorCode.TEMPLATE_ERROR, field, e.getMessage());
        }
    }

    private static void requireBoundary(boolean matches, String field) throws InvalidRowException {
        if (!matches) {
            throw new InvalidRowException(ErrorCode.TOKEN_BOUNDARY_MISMATCH, field, "tok(prompt + " + field
                    + ") does not start with tok(prompt): the tokenizer merges tokens across the boundary");
        }
    }
}
