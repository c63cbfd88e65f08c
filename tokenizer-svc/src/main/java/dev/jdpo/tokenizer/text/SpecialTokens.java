package dev.jdpo.tokenizer.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * The special tokens a tokenizer_config.json names, with their ids. The pad token falls back to eos, as in TRL.
 *
 * @param eosToken end-of-sequence text appended to plain-text completions
 * @param eosId its id
 * @param padId id used to right-pad batches
 * @param bosToken beginning-of-sequence text, when the model has one
 */
public record SpecialTokens(String eosToken, int eosId, int padId, Optional<String> bosToken) {

    static SpecialTokens from(JsonObject config, Function<String, int[]> encoder, Path source)
            throws TokenizerLoadException {
        String eos = tokenText(config, "eos_token")
                .orElseThrow(() -> new TokenizerLoadException(source.resolveSibling("tokenizer_config.json")
                        + ": field eos_token is missing; it is needed to end completions"));
        int eosId = singleId(eos, "eos_token", encoder, source);
        Optional<String> pad = tokenText(config, "pad_token");
        int padId = pad.isPresent() ? singleId(pad.get(), "pad_token", encoder, source) : eosId;
        return new SpecialTokens(eos, eosId, padId, tokenText(config, "bos_token"));
    }

    /** A token may be written as a string or as an AddedToken object with a "content" field. */
    private static Optional<String> tokenText(JsonObject config, String field) {
        JsonElement value = config.get(field);
        if (value == null || value.isJsonNull()) {
            return Optional.empty();
        }
        if (value.isJsonObject() && value.getAsJsonObject().has("content")) {
            return Optional.of(value.getAsJsonObject().get("content").getAsString());
        }
        return value.isJsonPrimitive() ? Optional.of(value.getAsString()) : Optional.empty();
    }

    private static int singleId(String token, String field, Function<String, int[]> encoder, Path source)
            throws TokenizerLoadException {
        int[] ids = encoder.apply(token);
        if (ids.length != 1) {
            throw new TokenizerLoadException(source + ": " + field + " '" + token
                    + "' is not a single token of this vocabulary (encodes to " + ids.length + " ids)");
        }
        return ids[0];
    }
}
