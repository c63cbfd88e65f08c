package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.proto.internal.v1.Started;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;

/** The pairs of a training job as {@link TrainerClient} sends them, again on every attempt. */
interface JobPairs {

    /** Sends what precedes training: every pair and end_of_pairs, or the validation pairs and pair_stream. */
    void sendBeforeTraining(Outbox call) throws InterruptedException;

    /** Whether training pairs follow the trainer's {@code started}. */
    boolean streamed();

    /**
     * Sends {@code job}'s training pairs from the data position the trainer names in its {@code started} on, until
     * the call ends; nothing when the call ends before the trainer started.
     */
    void stream(TrainJob job, Outbox call) throws InterruptedException, RunFailure;

    /** The request side of one Train call. */
    interface Outbox {

        /** Sends once the transport can take it (flow control). */
        void send(TrainInput input) throws InterruptedException;

        /**
         * Nothing to send just now: a stop request still goes out, as it would with a send. A stream waiting for
         * pairs (scoring behind, the store still filling, or all sent) would otherwise hold a stop until the end.
         */
        void idle();

        /** Whether the call has ended. */
        boolean done();

        /** The trainer's {@code started} once it came, or null when the call ended first. */
        Started awaitStarted() throws InterruptedException;

        /**
         * Waits at most {@code millis} (not at all for 0) for the trainer to report ({@code pairs_taken}) at least {@code count}
         * streamed pairs taken on this call; whether it has.
         */
        boolean awaitTaken(long count, long millis) throws InterruptedException;
    }
}
