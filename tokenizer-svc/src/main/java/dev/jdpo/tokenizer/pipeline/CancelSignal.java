package dev.jdpo.tokenizer.pipeline;

/**
 * Whoever asked for a pass says here whether they still want it; the pass asks before every row, so a caller that
 * went away stops the reading and tokenizing within one row (a gRPC service passes its call's cancellation).
 */
@FunctionalInterface
public interface CancelSignal {

    /** For passes nobody cancels (the CLI, tests, benches). */
    CancelSignal NEVER = () -> false;

    boolean cancelled();
}
