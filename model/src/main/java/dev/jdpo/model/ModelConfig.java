package dev.jdpo.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Llama-family {@code config.json} (model_type llama, qwen2 or mistral), with every field the forward pass
 * reads and the source JSON kept so that saving writes it back unchanged except for the dtype.
 *
 * @param modelType llama, qwen2 or mistral
 * @param vocabSize vocab_size
 * @param hiddenSize hidden_size
 * @param intermediateSize intermediate_size (SwiGLU width)
 * @param numLayers num_hidden_layers
 * @param numHeads num_attention_heads
 * @param numKvHeads num_key_value_heads (defaults to numHeads)
 * @param headDim head_dim (defaults to hidden_size / num_attention_heads)
 * @param rmsNormEps rms_norm_eps
 * @param maxPositionEmbeddings max_position_embeddings
 * @param tieWordEmbeddings lm_head shares the embedding matrix
 * @param qkvBias q/k/v projections have biases (Qwen2 always; Llama when attention_bias)
 * @param outputBias o_proj has a bias (Llama attention_bias)
 * @param mlpBias gate/up/down have biases (Llama mlp_bias)
 * @param rope rotary embedding settings
 * @param slidingWindow attention window in tokens for layers marked in slidingLayers; 0 when none
 * @param slidingLayers per layer: whether the window applies
 * @param dtype the dtype the config declares (dtype / torch_dtype), empty when it names none or an unknown one
 * @param json the source config.json object
 */
public record ModelConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, double rmsNormEps, int maxPositionEmbeddings,
                          boolean tieWordEmbeddings, boolean qkvBias, boolean outputBias, boolean mlpBias,
                          RopeConfig rope, int slidingWindow, List<Boolean> slidingLayers,
                          Optional<StorageDType> dtype, JsonObject json) {

    public static final Set<String> SUPPORTED_TYPES = Set.of("llama", "qwen2", "mistral");
    /**
     * Upper bounds on the sizes that lists, maps and tensors are made in proportion to, far above any published
     * model's (126 layers, 128 heads, 16384 hidden, 53248 intermediate, 256k vocabulary), checked before anything is
     * allocated: {@code num_hidden_layers: 1e9} once ran 40 s into an OutOfMemoryError. The tensors themselves must
     * then match the safetensors headers, checked before any weight is read.
     */
    static final int MAX_LAYERS = 1024;
    static final int MAX_HEADS = 1024;
    static final int MAX_HIDDEN = 1 << 17;
    static final int MAX_INTERMEDIATE = 1 << 20;
    static final int MAX_VOCAB = 1 << 24;
    private static final Set<String> SUPPORTED_ACTIVATIONS = Set.of("silu", "swish");

    public ModelConfig {
        slidingLayers = List.copyOf(slidingLayers);
        json = json.deepCopy();
    }

    @Override
    public JsonObject json() {
        return json.deepCopy();
    }

    /** Attention window of one layer in tokens, 0 when the layer attends to the whole prefix. */
    public int windowOf(int layer) {
        return slidingLayers.get(layer) ? slidingWindow : 0;
    }

    /** Reads and validates {@code config.json}. */
    public static ModelConfig read(Path configJson) throws ModelLoadException {
        if (!Files.isRegularFile(configJson)) {
            throw new ModelLoadException(configJson + ": missing model config (config.json not found)");
        }
        return parse(configJson, JsonFields.readObject(configJson));
    }

    /** Validates a config object; {@code source} names the file in error messages. */
    public static ModelConfig parse(Path source, JsonObject object) throws ModelLoadException {
        JsonFields f = new JsonFields(source, object, "");
        String modelType = f.optionalString("model_type").orElseThrow(() -> f.error("model_type", "is missing"));
        if (!SUPPORTED_TYPES.contains(modelType)) {
            throw f.error("model_type", "is \"" + modelType + "\"; supported model types are llama, qwen2, mistral");
        }
        String activation = f.optionalString("hidden_act").orElse("silu");
        if (!SUPPORTED_ACTIVATIONS.contains(activation)) {
            throw f.error("hidden_act", "is \"" + activation + "\"; only silu (SwiGLU) is supported");
        }
        int hidden = atMost(f, "hidden_size", f.requiredInt("hidden_size"), MAX_HIDDEN);
        int heads = atMost(f, "num_attention_heads", f.requiredInt("num_attention_heads"), MAX_HEADS);
        int kvHeads = atMost(f, "num_key_value_heads", f.optionalInt("num_key_value_heads", heads), MAX_HEADS);
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "(" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        }
        if (!f.present("head_dim") && hidden % heads != 0) {
            throw f.error("hidden_size", "(" + hidden + ") is not a multiple of num_attention_heads (" + heads
                    + ") and head_dim is not given");
        }
        int headDim = atMost(f, "head_dim", f.optionalInt("head_dim", hidden / heads), MAX_HIDDEN);
        if (headDim % 2 != 0) {
            throw f.error("head_dim", "must be even for rotary embeddings, got " + headDim);
        }
        int layers = atMost(f, "num_hidden_layers", f.requiredInt("num_hidden_layers"), MAX_LAYERS);
        double eps = f.optionalDouble("rms_norm_eps", 1e-6);
        if (!(eps > 0)) {
            throw f.error("rms_norm_eps", "must be positive, got " + eps);
        }
        boolean qwen2 = modelType.equals("qwen2");
        boolean attentionBias = modelType.equals("llama") && f.optionalBoolean("attention_bias", false);
        boolean mlpBias = modelType.equals("llama") && f.optionalBoolean("mlp_bias", false);
        Window window = window(f, modelType, layers);
        return new ModelConfig(modelType, atMost(f, "vocab_size", f.requiredInt("vocab_size"), MAX_VOCAB), hidden,
                atMost(f, "intermediate_size", f.requiredInt("intermediate_size"), MAX_INTERMEDIATE), layers, heads, kvHeads, headDim, eps, f.optionalInt("max_position_embeddings", 2048),
                f.optionalBoolean("tie_word_embeddings", false), qwen2 || attentionBias, attentionBias, mlpBias,
                rope(f), window.size(), window.layers(), declaredDtype(f), object);
    }

    private static int atMost(JsonFields f, String field, int value, int bound) throws ModelLoadException {
        if (value > bound) {
            throw f.error(field, "is " + value + "; at most " + bound + " is supported");
        }
        return value;
    }

    /** The declared dtype; an unknown or non-string value only means the tensors' own dtype is used. */
    private static Optional<StorageDType> declaredDtype(JsonFields f) {
        for (String field : List.of("dtype", "torch_dtype")) {
            JsonElement value = f.object().get(field);
            if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
                Optional<StorageDType> dtype = StorageDType.fromTorchName(value.getAsString());
                if (dtype.isPresent()) {
                    return dtype;
                }
            }
        }
        return Optional.empty();
    }

    private static RopeConfig rope(JsonFields f) throws ModelLoadException {
        Optional<JsonFields> parameters = f.optionalObject("rope_parameters");
        if (parameters.isPresent()) {
            JsonFields p = parameters.get();
            double theta = p.present("rope_theta") ? p.requiredDouble("rope_theta") : f.optionalDouble("rope_theta", 10000);
            return scaled(p, theta);
        }
        double theta = f.optionalDouble("rope_theta", 10000);
        Optional<JsonFields> scaling = f.optionalObject("rope_scaling");
        return scaling.isPresent() ? scaled(scaling.get(), theta) : RopeConfig.standard(theta);
    }

    private static RopeConfig scaled(JsonFields s, double theta) throws ModelLoadException {
        if (!(theta > 0)) {
            throw s.error("rope_theta", "must be positive, got " + theta);
        }
        String typeField = s.present("rope_type") ? "rope_type" : "type";
        String type = s.optionalString(typeField).orElse("default");
        return switch (type) {
            case "default" -> RopeConfig.standard(theta);
            case "linear" -> new RopeConfig(theta, type, positive(s, "factor"), 0, 0, 0);
            case "llama3" -> {
                double low = positive(s, "low_freq_factor");
                double high = positive(s, "high_freq_factor");
                if (high <= low) {
                    throw s.error("high_freq_factor", "(" + high + ") must exceed low_freq_factor (" + low + ")");
                }
                yield new RopeConfig(theta, type, positive(s, "factor"), low, high,
                        s.requiredInt("original_max_position_embeddings"));
            }
            default -> throw s.error(typeField, "is \"" + type
                    + "\"; supported rope types are default, linear and llama3");
        };
    }

    private static double positive(JsonFields s, String field) throws ModelLoadException {
        double value = s.requiredDouble(field);
        if (!(value > 0)) {
            throw s.error(field, "must be positive, got " + value);
        }
        return value;
    }

    /**
     * Which layers use a sliding window, as transformers decides: an explicit {@code layer_types} list wins;
     * Mistral slides every layer when {@code sliding_window} is set; Qwen2 only with {@code use_sliding_window}
     * and only from layer {@code max_window_layers} on.
     */
    private static Window window(JsonFields f, String modelType, int layers) throws ModelLoadException {
        boolean enabled = switch (modelType) {
            case "mistral" -> f.present("sliding_window");
            case "qwen2" -> f.optionalBoolean("use_sliding_window", false) && f.present("sliding_window");
            default -> false;
        };
        List<Boolean> sliding = new ArrayList<>();
        if (!enabled) {
            for (int i = 0; i < layers; i++) {
                sliding.add(false);
            }
            return new Window(0, sliding);
        }
        int size = f.requiredInt("sliding_window");
        if (f.present("layer_types")) {
            var types = f.object().get("layer_types");
            if (!types.isJsonArray() || types.getAsJsonArray().size() != layers) {
                throw f.error("layer_types", "must list one type per layer (" + layers + "), got " + types);
            }
            for (JsonElement type : types.getAsJsonArray()) {
                sliding.add(type.getAsString().equals("sliding_attention"));
            }
        } else {
            int firstSliding = modelType.equals("qwen2") ? f.optionalNonNegativeInt("max_window_layers", 28) : 0;
            for (int i = 0; i < layers; i++) {
                sliding.add(i >= firstSliding);
            }
        }
        return new Window(size, sliding);
    }

    private record Window(int size, List<Boolean> layers) { }
}
