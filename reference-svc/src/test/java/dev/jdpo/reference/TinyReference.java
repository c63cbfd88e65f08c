package dev.jdpo.reference;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The tiny-llama-ref fixture, loaded once per test JVM and shared (forward passes are serialized). */
public final class TinyReference {

    private static ModelBatchScorer model;
    private static ReferenceIdentity identity;

    private TinyReference() {
    }

    public static synchronized ModelBatchScorer model() {
        if (model == null) {
            try {
                model = new ModelBatchScorer(CausalLM.load(TestPairs.tinyReference(), LoadOptions.cpu()));
            } catch (ModelLoadException e) {
                throw new IllegalStateException(e);
            }
        }
        return model;
    }

    public static synchronized ReferenceIdentity identity() {
        if (identity == null) {
            try (ScoreCache memo = ScoreCache.inMemory()) {
                identity = ReferenceModel.identity(TestPairs.tinyReference(), null, LoadOptions.cpu(), memo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return identity;
    }

    /** A scorer over the shared model with its own cache. */
    public static LocalReferenceScorer scorer(ScoreCache cache, BatchLimits limits) {
        return new LocalReferenceScorer(model(), cache, identity(), limits);
    }

    /** A scorer with its own in-memory cache and default limits. */
    public static LocalReferenceScorer scorer() {
        return scorer(ScoreCache.inMemory(), BatchLimits.defaults());
    }
}
