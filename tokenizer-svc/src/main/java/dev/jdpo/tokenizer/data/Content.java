package dev.jdpo.tokenizer.data;

import java.util.List;

/** A prompt or a completion: plain text (standard format) or chat messages (conversational). Exactly one is set. */
public record Content(String text, List<ChatMessage> messages) {

    public Content {
        if ((text == null) == (messages == null)) {
            throw new IllegalArgumentException("exactly one of text and messages must be set");
        }
        messages = messages == null ? null : List.copyOf(messages);
    }

    public static Content text(String text) {
        return new Content(text, null);
    }

    public static Content messages(List<ChatMessage> messages) {
        return new Content(null, messages);
    }

    public boolean conversational() {
        return messages != null;
    }
}
