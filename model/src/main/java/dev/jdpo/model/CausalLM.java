package dev.jdpo.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.jdpo.model.lora.LoraAdapter;
import dev.jdpo.model.safetensors.CheckpointReader;
import dev.jdpo.model.safetensors.TensorEntry;
import dev.jdpo.model.transformer.ModelWeights;
import dev.jdpo.model.transformer.Transformer;
import dev.jdpo.model.transformer.WeightLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A Hugging Face Llama / Qwen2 / Mistral causal LM held as FP32 master weights in DJL (PyTorch engine). */
public final class CausalLM implements AutoCloseable {

    private final ModelConfig config;
    private final GenerationConfig generationConfig;
    private final Path sourceDir;
    private final StorageDType sourceDType;
    private final LoadOptions options;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final Transformer transformer;
    /** Hands a {@link SharedBases} lease back; null for a model of its own. */
    private final Runnable release;
    private LoraAdapter adapter;

    private CausalLM(ModelConfig config, GenerationConfig generationConfig, Path sourceDir,
                     StorageDType sourceDType, LoadOptions options, NDManager manager,
                     Map<String, NDArray> parameters) {
        this.config = config;
        this.generationConfig = generationConfig;
        this.sourceDir = sourceDir;
        this.sourceDType = sourceDType;
        this.options = options;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        ModelWeights weights = ModelWeights.from(parameters, config.numLayers(), config.tieWordEmbeddings());
        this.transformer = new Transformer(manager, config, weights, options.precision(), options.trainable());
        this.release = null;
    }

    /** A lease on {@code base}'s frozen weights with its own decoder state, adapter and manager (a sub-manager). */
    private CausalLM(CausalLM base, Runnable release) {
        this.config = base.config;
        this.generationConfig = base.generationConfig;
        this.sourceDir = base.sourceDir;
        this.sourceDType = base.sourceDType;
        this.options = base.options;
        this.manager = base.manager.newSubManager();
        this.parameters = base.parameters;
        this.transformer = base.transformer.share(manager);
        this.release = release;
    }

    /** Another user of this frozen model's weights, for {@link SharedBases}; {@code release} runs when it closes. */
    CausalLM lease(Runnable release) {
        if (options.trainable()) {
            throw new IllegalStateException("a trainable model's weights change and cannot be shared");
        }
        return new CausalLM(this, release);
    }

    /**
     * Loads {@code config.json}, {@code generation_config.json} (optional) and the safetensors weights of an HF
     * model directory. Every tensor the config implies must be present with the implied shape.
     */
    public static CausalLM load(Path modelDir, LoadOptions options) throws ModelLoadException {
        ModelConfig config = ModelConfig.read(modelDir.resolve("config.json"));
        GenerationConfig generation = GenerationConfig.read(modelDir)
                .orElse(GenerationConfig.fromModelConfig(config, modelDir.resolve("config.json")));
        CheckpointReader checkpoint = CheckpointReader.open(modelDir);
        Map<String, Shape> expected = WeightLayout.expectedShapes(config);
        for (Map.Entry<String, Shape> tensor : expected.entrySet()) {
            checkTensor(checkpoint, config, tensor.getKey(), tensor.getValue());
        }
        StorageDType sourceDType = config.dtype().orElseGet(() -> checkpoint.entry(WeightLayout.EMBED)
                .flatMap(TensorEntry::dtype).orElse(StorageDType.F32));
        NDManager manager;
        try {
            manager = NDManager.newBaseManager(options.device(), "PyTorch");
        } catch (EngineException | IllegalArgumentException e) {
            throw new ModelLoadException(modelDir + ": cannot start the PyTorch engine on " + options.device()
                    + ": " + e.getMessage(), e);
        }
        try {
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                NDArray array = checkpoint.read(name, manager);
                // weights outlive any NDScope the caller may have open
                NDScope.unregister(array);
                array.setName(name);
                if (options.trainable()) {
                    array.setRequiresGradient(true);
                }
                parameters.put(name, array);
            }
            return new CausalLM(config, generation, modelDir, sourceDType, options, manager, parameters);
        } catch (ModelLoadException e) {
            manager.close();
            throw e;
        } catch (EngineException e) {
            manager.close();
            throw new ModelLoadException(modelDir + ": the engine rejected a weight: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a base model with a PEFT LoRA adapter attached ({@link LoraAdapter#read}). The base weights are frozen
     * whatever {@code options} say; {@code options.trainable()} makes the adapter's A and B require gradients.
     *
     * @param adapterDir the adapter directory, or null for the base alone (then as {@link #load(Path, LoadOptions)})
     */
    public static CausalLM load(Path modelDir, Path adapterDir, LoadOptions options) throws ModelLoadException {
        if (adapterDir == null) {
            return load(modelDir, options);
        }
        CausalLM base = load(modelDir, new LoadOptions(options.device(), options.precision(), false));
        try {
            base.attachAdapter(LoraAdapter.read(adapterDir, base, options.trainable()));
            return base;
        } catch (ModelLoadException | RuntimeException e) {
            base.close();
            throw e;
        }
    }

    private static void checkTensor(CheckpointReader checkpoint, ModelConfig config, String name, Shape expected)
            throws ModelLoadException {
        TensorEntry entry = checkpoint.entry(name).orElseThrow(() -> new ModelLoadException(
                checkpoint.dir() + ": missing tensor " + name + " (config.json, model_type " + config.modelType()
                        + ", needs it" + (name.equals(WeightLayout.LM_HEAD) ? " because tie_word_embeddings is false"
                        : "") + ")"));
        if (!Arrays.equals(entry.shape(), expected.getShape())) {
            throw new ModelLoadException(checkpoint.fileOf(name).orElseThrow() + ": tensor " + name + " has shape "
                    + Arrays.toString(entry.shape()) + " but config.json implies " + expected
                    + " (hidden_size " + config.hiddenSize() + ", vocab_size " + config.vocabSize()
                    + ", intermediate_size " + config.intermediateSize() + ", num_attention_heads "
                    + config.numHeads() + ", num_key_value_heads " + config.numKvHeads() + ", head_dim "
                    + config.headDim() + ")");
        }
        if (entry.dtype().isEmpty()) {
            throw new ModelLoadException(checkpoint.fileOf(name).orElseThrow() + ": tensor " + name + " has dtype "
                    + entry.dtypeName() + "; supported dtypes are F32, F16 and BF16");
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The checkpoint's generation_config.json, or one holding config.json's token ids when it ships none. */
    public GenerationConfig generationConfig() {
        return generationConfig;
    }

    public Path sourceDir() {
        return sourceDir;
    }

    /** The dtype the source checkpoint declared (or stored, when config.json names none). */
    public StorageDType sourceDType() {
        return sourceDType;
    }

    public LoadOptions options() {
        return options;
    }

    /**
     * HF tensor names to FP32 master weights in transformers' state_dict order; {@code lm_head.weight} is absent
     * when tied to the embeddings. The arrays require gradients when the model was loaded trainable.
     */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    public NDManager manager() {
        return manager;
    }

    /** The decoder itself, for callers that need hidden states or a KV cache. */
    public Transformer transformer() {
        return transformer;
    }

    /**
     * Logits {@code [B, T, V]} (FP32) for right-padded {@code inputIds [B, T]}; attached to the input's manager.
     * Differentiable inside a gradient collector when the model (or its attached adapter) is trainable.
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask) {
        return transformer.logits(inputIds, attentionMask);
    }

    /**
     * Makes every later forward add {@code adapter}'s term (replacing any adapter attached before). Not while a
     * forward runs. The model does not own the adapter; closing the model frees it, as it lives on the model's
     * manager.
     *
     * @throws IllegalArgumentException when the adapter was built on another model's weights
     */
    public void attachAdapter(LoraAdapter adapter) {
        if (!adapter.isFor(this)) {
            throw new IllegalArgumentException("the adapter was built on another model's weights, not " + sourceDir);
        }
        this.adapter = adapter;
        transformer.setAdapter(adapter);
    }

    /** The attached adapter, if any. */
    public Optional<LoraAdapter> adapter() {
        return Optional.ofNullable(adapter);
    }

    /** Runs later forwards on the base weights alone (e.g. the reference under LoRA); returns what was attached. */
    public Optional<LoraAdapter> detachAdapter() {
        Optional<LoraAdapter> detached = adapter();
        adapter = null;
        transformer.setAdapter(null);
        return detached;
    }

    /**
     * Folds the attached adapter into the base weights in place ({@code W + s·B·A}, PEFT's
     * {@code merge_and_unload}), then detaches and closes it; {@link #save} then writes the merged checkpoint.
     * One weight-sized temporary at a time.
     *
     * @throws IllegalStateException without an attached adapter, on a frozen FP16 model, whose FP16 weight
     *     copies would not see the change, or on a base shared through {@link SharedBases}, whose other users
     *     would see it
     */
    public void mergeAdapter() {
        if (adapter == null) {
            throw new IllegalStateException("no adapter is attached to merge");
        }
        if (release != null) {
            throw new IllegalStateException("merging needs a base of its own: this one is shared in this process");
        }
        if (options.precision() == Precision.FP16 && !options.trainable()) {
            throw new IllegalStateException("merging needs the model loaded in FP32 or TF32, not FP16");
        }
        LoraAdapter merged = detachAdapter().orElseThrow();
        merged.mergeIntoBase();
        merged.close();
    }

    /**
     * Writes a complete HF model directory: weights (sharded over the limit), config.json with its dtype fields
     * set to the saved dtype, generation_config.json, and the tokenizer files and chat template of the source.
     * The base weights only: an attached adapter is saved by {@link LoraAdapter#save}, or merged in first.
     */
    public void save(Path dir, SaveOptions options) throws IOException {
        ModelDirWriter.write(this, dir, options);
    }

    /**
     * Writes the attached adapter as PEFT does ({@link LoraAdapter#save}), plus the source's tokenizer files and a
     * copy of its config.json: what a LoRA run's checkpoints and {@code final/} hold.
     *
     * @throws IllegalStateException without an attached adapter
     */
    public void saveAdapter(Path dir) throws IOException {
        ModelDirWriter.writeAdapter(this, dir);
    }

    /**
     * What an optimizer updates: the attached adapter's A and B (the base stays frozen), else every weight of a
     * model loaded trainable, else nothing.
     */
    public Map<String, NDArray> trainableParameters() {
        if (adapter != null) {
            return adapter.parameters();
        }
        return options.trainable() ? parameters : Map.of();
    }

    /** Closes this model, or for a shared base this lease (the weights go with the last one). */
    @Override
    public void close() {
        transformer.close();
        manager.close();
        if (release != null) {
            release.run();
        }
    }
}
