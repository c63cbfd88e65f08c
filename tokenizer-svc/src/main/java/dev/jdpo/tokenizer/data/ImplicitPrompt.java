package dev.jdpo.tokenizer.data;

import java.util.List;

/**
 * Splits chosen/rejected that both start with the prompt, as TRL's {@code extract_prompt} does: the prompt is
 * their common prefix; for text, a space just before the first difference stays with the completions.
 */
final class ImplicitPrompt {

    private ImplicitPrompt() {
    }

    /** Index where the completions start. Same quirk as TRL when one is a prefix of the other: the last shared item goes to the completions. */
    static int splitText(String chosen, String rejected) {
        int n = Math.min(chosen.length(), rejected.length());
        int idx = 0;
        for (; idx < n; idx++) {
            if (chosen.charAt(idx) != rejected.charAt(idx)) {
                if (idx > 0 && chosen.charAt(idx - 1) == ' ') {
                    idx--;
                }
                return idx;
            }
        }
        return Math.max(0, n - 1);
    }

    static int splitMessages(List<ChatMessage> chosen, List<ChatMessage> rejected) {
        int n = Math.min(chosen.size(), rejected.size());
        for (int idx = 0; idx < n; idx++) {
            if (!chosen.get(idx).equals(rejected.get(idx))) {
                return idx;
            }
        }
        return Math.max(0, n - 1);
    }
}
