package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SharedBases;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.v1.RunConfig;
import java.nio.file.Path;

/**
 * Keeps an embedded LoRA run's frozen base in memory from reference scoring through training, so the reference
 * (the starting policy) and the trainer load it once, also when the reference is scored and closed before the
 * trainer starts. Only where both run in this process on that base: the default reference, no replicas, no
 * trainer address, and no merge at the end (the trainer then loads a base of its own to merge into).
 */
final class SharedBaseHold implements AutoCloseable {

    private final SharedBases.Hold hold;

    private SharedBaseHold(SharedBases.Hold hold) {
        this.hold = hold;
    }

    /** The hold for {@code config}'s run (holding nothing when its reference or trainer is elsewhere). */
    static SharedBaseHold of(RunConfig config) throws RunFailure {
        boolean shared = config.getTraining().hasLora() && !config.getTraining().getLora().getMergeAtEnd()
                && config.getModel().getReference().isEmpty()
                && config.getServices().getReferenceAddressesList().isEmpty()
                && config.getServices().getTrainerAddress().isEmpty();
        if (!shared) {
            return new SharedBaseHold(null);
        }
        try {
            return new SharedBaseHold(SharedBases.hold(Path.of(config.getModel().getPolicy()),
                    Devices.loadOptions(config.getModel(), false)));
        } catch (ModelLoadException unreadable) {
            // the step that reads the policy reports it, as without LoRA
            return new SharedBaseHold(null);
        }
    }

    /** Lets the base go with its last user. */
    @Override
    public void close() {
        if (hold != null) {
            hold.close();
        }
    }
}
