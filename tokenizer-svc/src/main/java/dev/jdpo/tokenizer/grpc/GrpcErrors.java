package dev.jdpo.tokenizer.grpc;

import dev.jdpo.tokenizer.io.DataFileException;
import dev.jdpo.tokenizer.pipeline.InvalidDataException;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import io.grpc.Status;
import io.grpc.StatusException;

/** Maps the pipeline's failures to gRPC statuses whose descriptions name the file, line or field. */
final class GrpcErrors {

    private GrpcErrors() {
    }

    static StatusException of(Exception e) {
        if (e instanceof StatusException status) {
            return status;
        }
        Status status;
        if (e instanceof InvalidDataException || e instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof DataFileException) {
            status = e.getMessage().contains("no such data file") ? Status.NOT_FOUND : Status.INVALID_ARGUMENT;
        } else if (e instanceof TokenizerLoadException) {
            status = Status.FAILED_PRECONDITION;
        } else {
            status = Status.INTERNAL;
        }
        return status.withDescription(e.getMessage()).withCause(e).asException();
    }

    static StatusException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asException();
    }
}
