package dev.jdpo.orchestrator.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.jdpo.orchestrator.config.ConfigViolation;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.run.RunFinishedException;
import dev.jdpo.orchestrator.run.RunNotFoundException;
import dev.jdpo.orchestrator.state.StateUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps orchestrator exceptions to gRPC statuses whose messages name the cause, never a stack trace. */
final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    static StatusRuntimeException toStatus(Exception error) {
        if (error instanceof InvalidConfigException invalid) {
            return invalidArgument(invalid);
        }
        if (error instanceof PathNotAllowedException denied) {
            return Status.PERMISSION_DENIED.withDescription(denied.getMessage()).asRuntimeException();
        }
        if (error instanceof RunNotFoundException missing) {
            return Status.NOT_FOUND.withDescription(missing.getMessage()).asRuntimeException();
        }
        if (error instanceof RunFinishedException finished) {
            return Status.FAILED_PRECONDITION.withDescription(finished.getMessage()).asRuntimeException();
        }
        if (error instanceof StatusRuntimeException status) {
            return status;
        }
        if (error instanceof StateUnavailableException state) {
            LOG.error("run-state database failure", state);
            return Status.UNAVAILABLE.withDescription(state.getMessage()).asRuntimeException();
        }
        LOG.error("request failed", error);
        return Status.INTERNAL.withDescription("internal error: " + error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : ": " + error.getMessage())).asRuntimeException();
    }

    static StatusRuntimeException invalidArgument(String field, String description) {
        return invalidArgument(new InvalidConfigException(field, description));
    }

    /** INVALID_ARGUMENT with the violations in the message and as a google.rpc.BadRequest detail. */
    private static StatusRuntimeException invalidArgument(InvalidConfigException invalid) {
        BadRequest.Builder details = BadRequest.newBuilder();
        for (ConfigViolation violation : invalid.violations()) {
            details.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                    .setField(violation.field()).setDescription(violation.description()));
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Code.INVALID_ARGUMENT_VALUE)
                .setMessage(invalid.getMessage())
                .addDetails(Any.pack(details.build()))
                .build());
    }
}
