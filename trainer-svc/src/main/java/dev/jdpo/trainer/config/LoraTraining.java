package dev.jdpo.trainer.config;

import dev.jdpo.model.lora.LoraConfig;
import java.nio.file.Path;

/**
 * How a run trains a LoRA adapter instead of the whole policy.
 *
 * @param adapter the PEFT adapter directory to continue, or null for a new one
 * @param newAdapter the settings of a new adapter; null when {@code adapter} is set (its own config decides)
 * @param mergeAtEnd also write the merged model to {@code OUTPUT/final-merged}
 */
public record LoraTraining(Path adapter, LoraConfig newAdapter, boolean mergeAtEnd) {

    /** Where a run with {@code mergeAtEnd} writes the merged model, beside {@code final/}. */
    public static final String MERGED_DIR = "final-merged";

    public LoraTraining {
        if ((adapter == null) == (newAdapter == null)) {
            throw new IllegalArgumentException("either an adapter to continue or the settings of a new one");
        }
    }
}
