package dev.jdpo.reference;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import dev.jdpo.reference.fingerprint.CheckpointFingerprints;
import java.io.IOException;
import java.nio.file.Path;

/** A loaded frozen reference checkpoint with its scorer; closing it frees the model (the cache stays open). */
public final class ReferenceModel implements AutoCloseable {

    private final CausalLM model;
    private final LocalReferenceScorer scorer;

    private ReferenceModel(CausalLM model, LocalReferenceScorer scorer) {
        this.model = model;
        this.scorer = scorer;
    }

    /**
     * Loads {@code modelDir} (which must hold tokenizer.json next to the weights) and fingerprints it.
     *
     * @throws ModelLoadException when the checkpoint cannot be loaded
     * @throws IOException when the checkpoint or tokenizer files cannot be read for fingerprinting
     */
    public static ReferenceModel load(Path modelDir, LoadOptions options, ScoreCache cache, BatchLimits limits)
            throws ModelLoadException, IOException {
        ReferenceIdentity identity = identity(modelDir, options, cache);
        CausalLM model = CausalLM.load(modelDir, new LoadOptions(options.device(), options.precision(), false));
        return new ReferenceModel(model, new LocalReferenceScorer(new ModelBatchScorer(model), cache, identity, limits));
    }

    /** The cache identity of a checkpoint under these options, without loading the weights. */
    public static ReferenceIdentity identity(Path modelDir, LoadOptions options, ScoreCache cache) throws IOException {
        return new ReferenceIdentity(CheckpointFingerprints.weights(modelDir, cache),
                CheckpointFingerprints.tokenizer(modelDir.resolve("tokenizer.json")), options.precision().name());
    }

    public LocalReferenceScorer scorer() {
        return scorer;
    }

    @Override
    public void close() {
        model.close();
    }
}
