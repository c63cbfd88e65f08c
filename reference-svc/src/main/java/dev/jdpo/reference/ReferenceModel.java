package dev.jdpo.reference;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SharedBases;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import dev.jdpo.reference.fingerprint.CheckpointFingerprints;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A frozen reference checkpoint with its scorer: loaded at once ({@link #load}, for a server that should fail
 * fast) or at the first cache miss ({@link #loadLazily}, for a training run that may find everything cached).
 * The weights come from {@link SharedBases}, so a LoRA trainer in the same process training on the same base
 * shares them; the reference's adapter (if any) is its own frozen copy. Closing it lets go of the model; the
 * cache stays open.
 */
public final class ReferenceModel implements AutoCloseable {

    private final AutoCloseable model;
    private final LocalReferenceScorer scorer;

    private ReferenceModel(AutoCloseable model, LocalReferenceScorer scorer) {
        this.model = model;
        this.scorer = scorer;
    }

    /**
     * Loads {@code modelDir} (which must hold tokenizer.json next to the weights), with {@code adapterDir}'s PEFT
     * LoRA adapter attached when it is not null, and fingerprints both.
     *
     * @throws ModelLoadException when the checkpoint or adapter cannot be loaded
     * @throws IOException when the checkpoint, adapter or tokenizer files cannot be read for fingerprinting
     */
    public static ReferenceModel load(Path modelDir, Path adapterDir, LoadOptions options, ScoreCache cache,
                                      BatchLimits limits) throws ModelLoadException, IOException {
        ReferenceIdentity identity = identity(modelDir, adapterDir, options, cache);
        CausalLM model = SharedBases.load(modelDir, adapterDir, frozen(options));
        return new ReferenceModel(model, new LocalReferenceScorer(new ModelBatchScorer(model), cache, identity, limits));
    }

    /**
     * Fingerprints {@code modelDir} (and {@code adapterDir}, when not null) and reads its config, but loads the
     * weights only when a pair misses the cache.
     *
     * @throws ModelLoadException when config.json cannot be read
     * @throws IOException when the checkpoint, adapter or tokenizer files cannot be read for fingerprinting
     */
    public static ReferenceModel loadLazily(Path modelDir, Path adapterDir, LoadOptions options, ScoreCache cache,
                                            BatchLimits limits) throws ModelLoadException, IOException {
        ReferenceIdentity identity = identity(modelDir, adapterDir, options, cache);
        LazyModelBatchScorer model = new LazyModelBatchScorer(modelDir, adapterDir, frozen(options));
        return new ReferenceModel(model, new LocalReferenceScorer(model, cache, identity, limits));
    }

    /** The cache identity of a checkpoint (with an adapter, or null) under these options, without loading it. */
    public static ReferenceIdentity identity(Path modelDir, Path adapterDir, LoadOptions options, ScoreCache cache)
            throws IOException {
        String weights = CheckpointFingerprints.weights(modelDir, cache);
        return new ReferenceIdentity(adapterDir == null ? weights
                : CheckpointFingerprints.withAdapter(weights, adapterDir),
                CheckpointFingerprints.tokenizer(modelDir.resolve("tokenizer.json")), options.precision().name());
    }

    public LocalReferenceScorer scorer() {
        return scorer;
    }

    /** Whether the weights are in memory (always after {@link #load}; after {@link #loadLazily}, once a pair missed). */
    public boolean weightsLoaded() {
        return !(model instanceof LazyModelBatchScorer lazy) || lazy.loaded();
    }

    @Override
    public void close() {
        try {
            model.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the reference model failed", e);
        }
    }

    private static LoadOptions frozen(LoadOptions options) {
        return new LoadOptions(options.device(), options.precision(), false);
    }
}
