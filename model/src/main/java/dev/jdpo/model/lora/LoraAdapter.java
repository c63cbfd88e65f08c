package dev.jdpo.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.ModelConfig;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.StorageDType;
import dev.jdpo.model.lora.LinearModules.Linear;
import dev.jdpo.model.safetensors.SafetensorsFile;
import dev.jdpo.model.safetensors.SafetensorsWriter;
import dev.jdpo.model.safetensors.TensorEntry;
import dev.jdpo.model.tensor.OwnedTensors;
import dev.jdpo.model.transformer.Casts;
import dev.jdpo.model.transformer.LinearAdapter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LoRA adapter on a loaded {@link CausalLM}'s frozen base weights, in PEFT's on-disk format
 * ({@code adapter_config.json} + {@code adapter_model.safetensors} with keys
 * {@code base_model.model.<module path>.lora_A.weight [r, in]} and {@code .lora_B.weight [out, r]}).
 * Attached to the model ({@link CausalLM#attachAdapter}), it adds {@code s · B (A x)} to each targeted
 * projection inside the one forward pass.
 */
public final class LoraAdapter implements LinearAdapter, AutoCloseable {

    public static final String CONFIG_FILE = AdapterConfigFile.NAME;
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** PEFT's prefix: the PeftModel's {@code base_model} (LoraModel) wrapping the transformers {@code model}. */
    private static final String KEY_PREFIX = "base_model.model.";

    /** One adapted projection: its base weight and the adapter's two factors. */
    private record Module(Linear linear, NDArray a, NDArray b) { }

    private final LoraConfig config;
    private final String baseModelNameOrPath;
    private final NDManager manager;
    private final List<Module> modules;
    private final Map<NDArray, Module> byBaseWeight = new IdentityHashMap<>();
    private final Map<String, NDArray> parameters;
    private final NDArray scale;
    private volatile boolean training;

    private LoraAdapter(LoraConfig config, String baseModelNameOrPath, NDManager manager, List<Module> modules,
                        boolean trainable) {
        this.config = config;
        this.baseModelNameOrPath = baseModelNameOrPath;
        this.manager = manager;
        this.modules = List.copyOf(modules);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Module module : modules) {
            byBaseWeight.put(module.linear().weight(), module);
            tensors.put(keyA(module.linear()), module.a());
            tensors.put(keyB(module.linear()), module.b());
            if (trainable) {
                module.a().setRequiresGradient(true);
                module.b().setRequiresGradient(true);
            }
        }
        this.parameters = Collections.unmodifiableMap(tensors);
        // made once on the device: a Number operand would be a host-to-device copy per projection
        this.scale = OwnedTensors.scalar(manager, config.scale());
        NDScope.unregister(scale);
    }

    /**
     * A new adapter initialised as PEFT initialises one: A Kaiming-uniform ({@code a = sqrt(5)}, i.e. uniform in
     * {@code ±1/sqrt(in)}) from {@code seed}, B zero, so the adapted model starts equal to the base.
     *
     * @param trainable whether A and B require gradients
     * @throws IllegalArgumentException when {@code target_modules} selects nothing or names a missing module
     */
    public static LoraAdapter create(CausalLM base, LoraConfig config, long seed, boolean trainable) {
        List<Linear> selected = select(base.config(), base.parameters(), config.targetModules());
        NDManager manager = base.manager().newSubManager();
        SplittableRandom random = new SplittableRandom(seed);
        List<Module> modules = new ArrayList<>();
        for (Linear linear : selected) {
            float[] a = new float[Math.toIntExact(config.r() * linear.in())];
            double bound = 1 / Math.sqrt(linear.in());
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
            NDArray aArray = OwnedTensors.of(manager, a, new Shape(config.r(), linear.in()));
            NDArray bArray = manager.zeros(new Shape(linear.out(), config.r()), DataType.FLOAT32);
            NDScope.unregister(aArray, bArray);
            modules.add(new Module(linear, aArray, bArray));
        }
        return new LoraAdapter(config, base.sourceDir().toString(), manager, modules, trainable);
    }

    /**
     * Reads a PEFT LoRA adapter directory for {@code base}. Refused, with the field or tensor named: what jdpo
     * does not implement (see {@code AdapterConfigFile}), a {@code base_model_name_or_path} whose config.json
     * contradicts the base's (when that directory exists here), targets the base does not have, and missing,
     * extra or wrongly shaped tensors.
     *
     * @param trainable whether A and B require gradients
     */
    public static LoraAdapter read(Path dir, CausalLM base, boolean trainable) throws ModelLoadException {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException(dir + ": adapter directory not found");
        }
        AdapterConfigFile.Contents contents = AdapterConfigFile.read(dir);
        LoraConfig config = contents.config();
        Path configFile = dir.resolve(CONFIG_FILE);
        checkBaseModel(configFile, contents.baseModelNameOrPath(), base.config());
        List<Linear> selected;
        try {
            selected = select(base.config(), base.parameters(), config.targetModules());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(configFile + ": field " + e.getMessage(), e);
        }
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new ModelLoadException(dir + ": " + WEIGHTS_FILE + " not found"
                    + (Files.exists(dir.resolve("adapter_model.bin"))
                    ? " (adapter_model.bin is a pickle and is not read; save with safe_serialization=True)" : ""));
        }
        SafetensorsFile file = SafetensorsFile.open(weights);
        checkTensors(file, config, selected);
        NDManager manager = base.manager().newSubManager();
        try {
            List<Module> modules = new ArrayList<>();
            for (Linear linear : selected) {
                NDArray a = file.read(keyA(linear), manager);
                NDArray b = file.read(keyB(linear), manager);
                // the adapter outlives any NDScope the caller may have open
                NDScope.unregister(a, b);
                modules.add(new Module(linear, a, b));
            }
            return new LoraAdapter(config, contents.baseModelNameOrPath(), manager, modules, trainable);
        } catch (ModelLoadException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public LoraConfig config() {
        return config;
    }

    /** The base model the adapter names in {@code adapter_config.json}; null when it names none. */
    public String baseModelNameOrPath() {
        return baseModelNameOrPath;
    }

    /**
     * PEFT's tensor names to the A and B matrices, module by module in transformers' order: the only arrays
     * that train (they require gradients when the adapter was made trainable; the base weights never do).
     */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Dropout on the adapter's input applies only in training mode (PyTorch's {@code module.train()}). */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean training() {
        return training;
    }

    /** Whether the adapter was built on this model's weights (and so may be attached to it). */
    public boolean isFor(CausalLM model) {
        for (Module module : modules) {
            if (model.parameters().get(module.linear().path() + ".weight") != module.linear().weight()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public NDArray delta(NDArray weight, NDArray input) {
        Module module = byBaseWeight.get(weight);
        if (module == null) {
            return null;
        }
        NDArray x = training && config.loraDropout() > 0
                ? input.getNDArrayInternal().dropout(input, (float) config.loraDropout(), true).singletonOrThrow()
                : input;
        NDArray down = x.getNDArrayInternal().linear(x, like(module.a(), x), null).singletonOrThrow();
        NDArray up = down.getNDArrayInternal().linear(down, like(module.b(), x), null).singletonOrThrow();
        return up.mul(scale);
    }

    /**
     * Adds {@code s · B A} to each targeted base weight in place (PEFT's merge). The adapter must not stay attached
     * afterwards: {@link CausalLM#mergeAdapter} merges and detaches.
     */
    public void mergeIntoBase() {
        for (Module module : modules) {
            try (NDArray product = module.b().matMul(module.a()); NDArray delta = product.mul(scale)) {
                module.linear().weight().addi(delta);
            }
        }
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (FP32) as PEFT does. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), parameters, StorageDType.F32);
        AdapterConfigFile.write(dir, config, baseModelNameOrPath);
    }

    /**
     * Hex SHA-256 over the settings that shape the forward pass and every tensor (name, shape, FP32 values), for
     * cache keys: two adapters that compute differently never share one. Reads the tensors back from the device.
     */
    public String fingerprint() {
        MessageDigest digest = sha256();
        digest.update(("lora r=" + config.r() + " lora_alpha=" + config.loraAlpha() + " use_rslora="
                + config.useRslora() + " target_modules=" + config.targetModules() + "\n")
                .getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, NDArray> tensor : parameters.entrySet()) {
            digest.update((tensor.getKey() + Arrays.toString(tensor.getValue().getShape().getShape()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            float[] values = tensor.getValue().toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() {
        manager.close();
    }

    private static NDArray like(NDArray factor, NDArray input) {
        return Casts.to(factor, input.getDataType());
    }

    private static String keyA(Linear linear) {
        return KEY_PREFIX + linear.path() + ".lora_A.weight";
    }

    private static String keyB(Linear linear) {
        return KEY_PREFIX + linear.path() + ".lora_B.weight";
    }

    /** The targeted linear layers; every listed name must select at least one. */
    private static List<Linear> select(ModelConfig config, Map<String, NDArray> parameters, TargetModules targets) {
        List<Linear> all = LinearModules.of(config, parameters);
        if (targets.names() != null) {
            for (String name : targets.names()) {
                if (all.stream().noneMatch(linear -> TargetModules.matchesName(linear.path(), name))) {
                    throw new IllegalArgumentException("target_modules: \"" + abbreviate(name)
                            + "\" matches no linear layer of the base model" + hint(config, name));
                }
            }
        }
        List<Linear> selected = all.stream().filter(linear -> targets.selects(linear.path(), linear.lmHead()))
                .toList();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("target_modules: \"" + abbreviate(targets.pattern())
                    + "\" matches no linear layer of the base model" + hint(config, ""));
        }
        return selected;
    }

    private static String hint(ModelConfig config, String name) {
        if (TargetModules.matchesName(LinearModules.LM_HEAD, name) && config.tieWordEmbeddings()) {
            return " (lm_head is tied to the embeddings, which LoRA does not adapt here)";
        }
        return " (its linear layers: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"
                + (config.tieWordEmbeddings() ? "" : ", lm_head") + ")";
    }

    private static void checkTensors(SafetensorsFile file, LoraConfig config, List<Linear> selected)
            throws ModelLoadException {
        Map<String, long[]> expected = new LinkedHashMap<>();
        Map<String, String> moduleOf = new LinkedHashMap<>();
        for (Linear linear : selected) {
            expected.put(keyA(linear), new long[] {config.r(), linear.in()});
            expected.put(keyB(linear), new long[] {linear.out(), config.r()});
            moduleOf.put(keyA(linear), linear.path());
            moduleOf.put(keyB(linear), linear.path());
        }
        for (String name : file.entries().keySet()) {
            if (!expected.containsKey(name)) {
                throw new ModelLoadException(file.path() + ": tensor " + abbreviate(name) + " is not the lora_A or "
                        + "lora_B weight of a module that target_modules selects");
            }
        }
        for (Map.Entry<String, long[]> tensor : expected.entrySet()) {
            TensorEntry entry = file.entries().get(tensor.getKey());
            if (entry == null) {
                throw new ModelLoadException(file.path() + ": missing tensor " + tensor.getKey()
                        + " (target_modules selects " + moduleOf.get(tensor.getKey()) + ")");
            }
            if (!Arrays.equals(entry.shape(), tensor.getValue())) {
                throw new ModelLoadException(file.path() + ": tensor " + tensor.getKey() + " has shape "
                        + Arrays.toString(entry.shape()) + " but r " + config.r() + " and the base's "
                        + moduleOf.get(tensor.getKey()) + " imply " + Arrays.toString(tensor.getValue()));
            }
        }
    }

    /**
     * Refuses a {@code base_model_name_or_path} that names a model directory present here whose architecture
     * differs from the base's. A hub id or a path on another machine cannot be checked and is accepted.
     */
    private static void checkBaseModel(Path configFile, String name, ModelConfig base) throws ModelLoadException {
        if (name == null || name.isBlank()) {
            return;
        }
        Path namedConfig;
        try {
            namedConfig = Path.of(name).resolve("config.json");
        } catch (InvalidPathException e) {
            return;
        }
        if (!Files.isRegularFile(namedConfig)) {
            return;
        }
        ModelConfig named;
        try {
            named = ModelConfig.read(namedConfig);
        } catch (ModelLoadException e) {
            return;
        }
        Map<String, Object[]> fields = new LinkedHashMap<>();
        fields.put("model_type", new Object[] {named.modelType(), base.modelType()});
        fields.put("hidden_size", new Object[] {named.hiddenSize(), base.hiddenSize()});
        fields.put("num_hidden_layers", new Object[] {named.numLayers(), base.numLayers()});
        fields.put("num_attention_heads", new Object[] {named.numHeads(), base.numHeads()});
        fields.put("num_key_value_heads", new Object[] {named.numKvHeads(), base.numKvHeads()});
        fields.put("intermediate_size", new Object[] {named.intermediateSize(), base.intermediateSize()});
        fields.put("vocab_size", new Object[] {named.vocabSize(), base.vocabSize()});
        for (Map.Entry<String, Object[]> field : fields.entrySet()) {
            Object[] values = field.getValue();
            if (!values[0].equals(values[1])) {
                throw new ModelLoadException(configFile + ": field base_model_name_or_path names "
                        + abbreviate(name) + ", whose config.json has " + field.getKey() + " " + values[0]
                        + ", but the base model has " + values[1]);
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
