package dev.jdpo.tokenizer.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The supported data layouts, detected from a row's fields or chosen by name: preference pairs, and the SFT
 * layouts ({@link #sft()}), whose rows have no rejected completion and train only under {@code method: sft}.
 */
public enum DataFormat {
    OPENAI("openai", new OpenAiFormat(), "input.messages", "preferred_output", "non_preferred_output"),
    TRL_STANDARD("trl-standard", TrlFormat::standard, "prompt", "chosen", "rejected"),
    TRL_CONVERSATIONAL("trl-conversational", TrlFormat::conversational, "prompt", "chosen", "rejected"),
    TRL_IMPLICIT("trl-implicit", TrlFormat::implicit, "chosen", "chosen", "rejected"),
    ORCA("orca", new OrcaFormat(), "question", "chosen", "rejected"),
    ULTRAFEEDBACK("ultrafeedback", new UltraFeedbackFormat(), "prompt", "chosen", "rejected"),
    MESSAGES("messages", SftFormat::messages, "messages", "messages", ""),
    PROMPT_COMPLETION("prompt-completion", SftFormat::promptCompletion, "prompt", "completion", "");

    private final String id;
    private final RowFormat parser;
    private final String promptField;
    private final String chosenField;
    private final String rejectedField;

    DataFormat(String id, RowFormat parser, String promptField, String chosenField, String rejectedField) {
        this.id = id;
        this.parser = parser;
        this.promptField = promptField;
        this.chosenField = chosenField;
        this.rejectedField = rejectedField;
    }

    /** Field that holds the prompt in this format, for report entries raised after parsing. */
    public String promptField() {
        return promptField;
    }

    public String chosenField() {
        return chosenField;
    }

    public String rejectedField() {
        return rejectedField;
    }

    /** Whether rows of this format are SFT examples (prompt and completion, no rejected completion). */
    public boolean sft() {
        return rejectedField.isEmpty();
    }

    /** The name used on the command line and in the gRPC options, e.g. {@code trl-standard}. */
    public String id() {
        return id;
    }

    public PreferenceExample parse(JsonObject row, long line) throws InvalidRowException {
        return parser.parse(row, line);
    }

    /** The format whose characteristic fields the row has; empty when it has none of them. */
    public static Optional<DataFormat> detect(JsonObject row) {
        if (row.has("input") || row.has("preferred_output") || row.has("non_preferred_output")) {
            return Optional.of(OPENAI);
        }
        if (row.has("messages")) {
            return Optional.of(MESSAGES);
        }
        if (row.has("completion") && !row.has("label")) {
            return Optional.of(PROMPT_COMPLETION);
        }
        if (row.has("question")) {
            return Optional.of(ORCA);
        }
        JsonElement prompt = row.get("prompt");
        if (prompt != null) {
            if (prompt.isJsonArray()) {
                return Optional.of(TRL_CONVERSATIONAL);
            }
            JsonElement chosen = row.get("chosen");
            return Optional.of(chosen != null && chosen.isJsonArray() ? ULTRAFEEDBACK : TRL_STANDARD);
        }
        if (row.has("chosen") && row.has("rejected")) {
            return Optional.of(TRL_IMPLICIT);
        }
        return Optional.empty();
    }

    /** Parses a format name; "auto" or empty means detect (empty result). */
    public static Optional<DataFormat> fromId(String id) {
        String wanted = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty() || wanted.equals("auto")) {
            return Optional.empty();
        }
        for (DataFormat f : values()) {
            if (f.id.equals(wanted)) {
                return Optional.of(f);
            }
        }
        throw new IllegalArgumentException("unknown data format '" + id + "'; expected auto or one of "
                + Arrays.stream(values()).map(DataFormat::id).collect(Collectors.joining(", ")));
    }
}
