package dev.jdpo.host;

import com.google.protobuf.BytesValue;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Int64Value;
import com.google.protobuf.WrappersProto;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A proto service described at run time (service-host depends on no generated code): {@code Measure} answers a
 * message's size, {@code Hold} answers its argument after that many milliseconds and signals its arrival, so a test
 * knows the call reached the server instead of guessing with a sleep.
 */
final class ProbeService implements BindableService {

    static final String NAME = "jdpo.test.Probe";
    private static final Descriptors.FileDescriptor FILE = describe();
    private static final ServiceDescriptor SERVICE;
    static final MethodDescriptor<BytesValue, Int64Value> MEASURE = unary("Measure", BytesValue.getDefaultInstance());
    static final MethodDescriptor<Int64Value, Int64Value> HOLD = unary("Hold", Int64Value.getDefaultInstance());

    static {
        SERVICE = ServiceDescriptor.newBuilder(NAME).setSchemaDescriptor(new ProtoServiceDescriptorSupplier() {
            @Override
            public Descriptors.FileDescriptor getFileDescriptor() {
                return FILE;
            }

            @Override
            public Descriptors.ServiceDescriptor getServiceDescriptor() {
                return FILE.findServiceByName("Probe");
            }
        }).addMethod(MEASURE).addMethod(HOLD).build();
    }

    private final ScheduledExecutorService timer;
    private final Semaphore holdsArrived = new Semaphore(0);

    ProbeService(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Waits until one more {@code Hold} call has reached the server; false if none did within {@code timeout}. */
    boolean awaitHold(Duration timeout) throws InterruptedException {
        return holdsArrived.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(MEASURE, ServerCalls.asyncUnaryCall((request, response) ->
                        reply(response, request.getValue().size())))
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((request, response) -> {
                    timer.schedule(() -> reply(response, request.getValue()), request.getValue(), TimeUnit.MILLISECONDS);
                    holdsArrived.release();
                }))
                .build();
    }

    private static void reply(StreamObserver<Int64Value> response, long value) {
        if (!((ServerCallStreamObserver<Int64Value>) response).isCancelled()) {
            response.onNext(Int64Value.of(value));
            response.onCompleted();
        }
    }

    private static <Q extends com.google.protobuf.Message> MethodDescriptor<Q, Int64Value> unary(String method,
                                                                                              Q request) {
        return MethodDescriptor.<Q, Int64Value>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, method))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(Int64Value.getDefaultInstance()))
                .build();
    }

    private static Descriptors.FileDescriptor describe() {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("jdpo/test/probe.proto").setPackage("jdpo.test").setSyntax("proto3")
                .addDependency(WrappersProto.getDescriptor().getName())
                .addService(ServiceDescriptorProto.newBuilder().setName("Probe")
                        .addMethod(MethodDescriptorProto.newBuilder().setName("Measure")
                                .setInputType(".google.protobuf.BytesValue").setOutputType(".google.protobuf.Int64Value"))
                        .addMethod(MethodDescriptorProto.newBuilder().setName("Hold")
                                .setInputType(".google.protobuf.Int64Value").setOutputType(".google.protobuf.Int64Value")))
                .build();
        try {
            return Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[] {WrappersProto.getDescriptor()});
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }
}
