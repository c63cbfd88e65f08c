package dev.jdpo.tokenizer.pipeline;

import java.util.List;

/** Tokenized pairs, shuffled and split, with the report of the pass that produced them. */
public record PreparedDataset(List<EncodedPair> train, List<EncodedPair> validation, ValidationReport report) {

    public PreparedDataset {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
