package dev.jdpo.tokenizer.data;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Orca-style rows ({@code system}, {@code question}, {@code chosen}, {@code rejected} strings), made conversational. */
final class OrcaFormat implements RowFormat {

    @Override
    public PreferenceExample parse(JsonObject row, long line) throws InvalidRowException {
        List<ChatMessage> prompt = new ArrayList<>(2);
        Optional<String> system = JsonFields.optional(row, "system").isPresent()
                ? Optional.of(JsonFields.string(row, "system", "system")) : Optional.empty();
        system.filter(s -> !s.isBlank()).ifPresent(s -> prompt.add(ChatMessage.of("system", s)));
        prompt.add(ChatMessage.of("user", Messages.nonBlank(JsonFields.string(row, "question", "question"), "question")));
        String chosen = Messages.nonBlank(JsonFields.string(row, "chosen", "chosen"), "chosen");
        String rejected = Messages.nonBlank(JsonFields.string(row, "rejected", "rejected"), "rejected");
        Messages.requireDifferent(chosen, rejected, "rejected");
        return PreferenceExample.chat(line, prompt, List.of(ChatMessage.of("assistant", chosen)),
                List.of(ChatMessage.of("assistant", rejected)), List.of());
    }
}
