package dev.jdpo.reference;

import dev.jdpo.model.CausalLM;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelConfig;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SharedBases;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.TokenSequence;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads the reference checkpoint at the first forward pass, so a run whose pairs are all cached never holds the
 * reference weights. The vocabulary size (for validating ids) comes from config.json alone.
 */
final class LazyModelBatchScorer implements SequenceBatchScorer, AutoCloseable {

    private final Path modelDir;
    private final Path adapterDir;
    private final LoadOptions options;
    private final int vocabSize;
    private CausalLM model;
    private ModelBatchScorer scorer;

    /** @param adapterDir a PEFT LoRA adapter to attach, or null for the checkpoint alone */
    LazyModelBatchScorer(Path modelDir, Path adapterDir, LoadOptions options) throws ModelLoadException {
        this.modelDir = modelDir;
        this.adapterDir = adapterDir;
        this.options = options;
        this.vocabSize = ModelConfig.read(modelDir.resolve("config.json")).vocabSize();
    }

    @Override
    public synchronized List<SequenceScore> scoreBatch(List<TokenSequence> batch, boolean perToken) {
        if (scorer == null) {
            try {
                model = SharedBases.load(modelDir, adapterDir, options);
            } catch (ModelLoadException e) {
                throw new ReferenceLoadException("cannot load the reference checkpoint " + modelDir + ": "
                        + e.getMessage(), e);
            }
            scorer = new ModelBatchScorer(model);
        }
        return scorer.scoreBatch(batch, perToken);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    synchronized boolean loaded() {
        return model != null;
    }

    @Override
    public synchronized void close() {
        if (model != null) {
            model.close();
        }
    }
}
