package dev.jdpo.trainer.grpc;

import dev.jdpo.trainer.run.TrainingRun;

/**
 * Cancel and checkpoint requests of one job, which may arrive before its run exists (during the upload or while
 * the policy loads); they are applied as soon as the run is attached.
 */
final class JobControl {

    private TrainingRun run;
    private boolean cancelRequested;
    private boolean checkpointPending;

    synchronized void attach(TrainingRun newRun) {
        run = newRun;
        if (cancelRequested) {
            run.cancel();
        }
        if (checkpointPending) {
            run.requestCheckpoint();
            checkpointPending = false;
        }
    }

    synchronized void detach() {
        run = null;
    }

    synchronized void cancel() {
        cancelRequested = true;
        if (run != null) {
            run.cancel();
        }
    }

    synchronized void requestCheckpoint() {
        if (run != null) {
            run.requestCheckpoint();
        } else {
            checkpointPending = true;
        }
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }
}
