package dev.jdpo.evaluation.prompts;

import dev.jdpo.tokenizer.data.ChatMessage;
import dev.jdpo.tokenizer.template.ChatTemplate;
import dev.jdpo.tokenizer.template.TemplateException;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * The prompt as the model sees it, as training renders it: chat prompts through the model's own template with the
 * generation prompt ({@code add_generation_prompt=True}), text prompts as they are (or, with {@code chat}, as one
 * user message through the template).
 */
public final class PromptEncoder {

    private final TextTokenizer tokenizer;
    private final Optional<ChatTemplate> template;
    private final boolean chat;

    public PromptEncoder(TextTokenizer tokenizer, boolean chat) {
        this.tokenizer = tokenizer;
        this.template = tokenizer.chatTemplate().map(source -> new ChatTemplate(source, tokenizer.specialTokens()));
        this.chat = chat;
    }

    /** The prompt text the model continues. */
    public String render(PromptRow row) throws InvalidPromptException {
        if (!row.conversational() && !chat) {
            return row.text();
        }
        List<ChatMessage> messages = row.conversational() ? row.messages()
                : List.of(ChatMessage.of("user", row.text()));
        String where = row.line() > 0 ? "line " + row.line() + ": " : "";
        if (template.isEmpty()) {
            throw new InvalidPromptException(where + "a chat prompt needs a chat template, and " + tokenizer.modelDir()
                    + " has none (chat_template.jinja or tokenizer_config.json)");
        }
        try {
            return template.get().render(messages, List.of(), true);
        } catch (TemplateException e) {
            throw new InvalidPromptException(where + e.getMessage(), e);
        }
    }

    public int[] encode(String promptText) {
        return tokenizer.encode(promptText);
    }
}
