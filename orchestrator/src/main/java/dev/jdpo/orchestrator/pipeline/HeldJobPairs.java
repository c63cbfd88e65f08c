package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.proto.internal.v1.EndOfPairs;
import dev.jdpo.proto.internal.v1.TrainInput;
import dev.jdpo.proto.internal.v1.TrainJob;
import dev.jdpo.trainer.data.TrainingPair;
import dev.jdpo.trainer.grpc.ProtoPairs;
import java.util.List;

/** Scored pairs held whole and sent before training in dataset order (reference.mode precompute). */
record HeldJobPairs(List<TrainingPair> training, List<TrainingPair> validation) implements JobPairs {

    @Override
    public void sendBeforeTraining(Outbox call) throws InterruptedException {
        for (int i = 0; i < training.size() && !call.done(); i++) {
            call.send(TrainInput.newBuilder().setPair(ProtoPairs.toProto(training.get(i), i)).build());
        }
        for (int i = 0; i < validation.size() && !call.done(); i++) {
            call.send(TrainInput.newBuilder().setValidationPair(ProtoPairs.toProto(validation.get(i),
                    training.size() + i)).build());
        }
        call.send(TrainInput.newBuilder().setEndOfPairs(EndOfPairs.getDefaultInstance()).build());
    }

    @Override
    public boolean streamed() {
        return false;
    }

    @Override
    public void stream(TrainJob job, Outbox call) {
        throw new IllegalStateException("held pairs are sent before training");
    }
}
