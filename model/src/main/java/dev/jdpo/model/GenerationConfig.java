package dev.jdpo.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of {@code generation_config.json} that generation uses, plus the source JSON to write back.
 *
 * @param eosTokenIds eos_token_id (a number or a list)
 * @param padTokenId pad_token_id, when given
 * @param temperature temperature (1 when absent)
 * @param topP top_p (1 when absent)
 * @param doSample do_sample
 * @param maxNewTokens max_new_tokens, when given
 * @param json the source object
 */
public record GenerationConfig(List<Integer> eosTokenIds, Optional<Integer> padTokenId, double temperature,
                               double topP, boolean doSample, Optional<Integer> maxNewTokens, JsonObject json) {

    public static final String FILE = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        json = json.deepCopy();
    }

    @Override
    public JsonObject json() {
        return json.deepCopy();
    }

    /** Reads {@code generation_config.json} from a model directory; empty when the file is absent. */
    public static Optional<GenerationConfig> read(Path modelDir) throws ModelLoadException {
        Path file = modelDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonObject object = JsonFields.readObject(file);
        try {
            return Optional.of(parse(file, object));
        } catch (RuntimeException e) {
            throw new ModelLoadException(file + ": cannot parse: " + e.getMessage(), e);
        }
    }

    /** The token ids of config.json ({@code source}), standing in when a checkpoint has no generation config. */
    public static GenerationConfig fromModelConfig(ModelConfig config, Path source) throws ModelLoadException {
        JsonObject json = new JsonObject();
        for (String field : List.of("bos_token_id", "eos_token_id", "pad_token_id")) {
            JsonElement value = config.json().get(field);
            if (value != null && !value.isJsonNull()) {
                json.add(field, value);
            }
        }
        return parse(source, json);
    }

    private static GenerationConfig parse(Path file, JsonObject json) throws ModelLoadException {
        JsonFields f = new JsonFields(file, json, "");
        return new GenerationConfig(tokenIds(f, "eos_token_id"), tokenIds(f, "pad_token_id").stream().findFirst(),
                f.optionalDouble("temperature", 1.0), f.optionalDouble("top_p", 1.0),
                f.optionalBoolean("do_sample", false), maxNewTokens(f), json);
    }

    private static Optional<Integer> maxNewTokens(JsonFields f) throws ModelLoadException {
        return f.present("max_new_tokens") ? Optional.of(f.optionalNonNegativeInt("max_new_tokens", 0))
                : Optional.empty();
    }

    private static List<Integer> tokenIds(JsonFields f, String field) throws ModelLoadException {
        List<Integer> ids = new ArrayList<>();
        if (!f.present(field)) {
            return ids;
        }
        JsonElement value = f.object().get(field);
        try {
            if (value.isJsonArray()) {
                value.getAsJsonArray().forEach(id -> ids.add(id.getAsInt()));
            } else {
                ids.add(value.getAsInt());
            }
        } catch (RuntimeException e) {
            throw f.error(field, "must be a token id or a list of ids, got " + value);
        }
        return ids;
    }
}
