package dev.jdpo.trainer.grpc;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one training job a JVM may run at a time: DJL allows one gradient collector per JVM, so the slot is static
 * and shared by every endpoint in the process.
 */
final class TrainingSlot {

    private static final AtomicReference<Lease> HOLDER = new AtomicReference<>();

    private TrainingSlot() { }

    /** Takes the slot for {@code runId}, or refuses naming the job that holds it. */
    static Lease acquire(String runId) throws TrainFailure {
        Lease lease = new Lease(runId);
        if (!HOLDER.compareAndSet(null, lease)) {
            Lease holder = HOLDER.get();
            throw TrainFailure.busy("this trainer is already running job '" + (holder == null ? "?" : holder.runId)
                    + "'; it trains one job at a time (one gradient collector per JVM), try again when it finishes "
                    + "or use another trainer process");
        }
        return lease;
    }

    /** A held slot; releasing it twice is harmless. */
    static final class Lease {
        private final String runId;

        private Lease(String runId) {
            this.runId = runId;
        }

        void release() {
            HOLDER.compareAndSet(this, null);
        }
    }
}
